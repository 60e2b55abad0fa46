package ostore.routing;

/**
 * Bytes that are not a valid routing filter or gossip message: wrong format version, parameters
 * other than the overlay's, a length past a bound, truncated or trailing bytes. The message names
 * the field and the limit. Decoding throws it before anything is stored, so a rejected message
 * changes nothing.
 */
public final class WireFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String message) {
        super(message);
    }
}
