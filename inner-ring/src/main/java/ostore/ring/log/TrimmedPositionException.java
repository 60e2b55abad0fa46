package ostore.ring.log;

/** A read or subscription asked for a position the log has already trimmed away. */
public final class TrimmedPositionException extends IllegalStateException {
    private final int color;
    private final long requested;
    private final long firstPosition;

    public TrimmedPositionException(int color, long requested, long firstPosition) {
        super("color " + color + " position " + requested + " is trimmed; the first readable position is "
                + firstPosition);
        this.color = color;
        this.requested = requested;
        this.firstPosition = firstPosition;
    }

    public int color() {
        return color;
    }

    public long requested() {
        return requested;
    }

    public long firstPosition() {
        return firstPosition;
    }
}
