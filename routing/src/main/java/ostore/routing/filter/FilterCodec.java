package ostore.routing.filter;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import ostore.routing.WireFormatException;

/**
 * The standalone filter format, version 1 (big-endian):
 * {@code u8 format = 1 ‖ u8 strategy = 1 ‖ u8 numHashFunctions ‖ u32 bitCount ‖ bitCount / 8 bytes}.
 * Strategy 1 is Guava's MURMUR128_MITZ_64 hashing of the GUID's 32 bytes, named by our own stable
 * code rather than Guava's enum ordinal. The bit array is {@link GuidFilter#writeWords}.
 *
 * <p>Decoding checks every field against the shape the caller expects before reading the bit
 * array, so an oversize or foreign filter is refused without allocating for it.
 */
public final class FilterCodec {
    public static final int FORMAT = 1;
    public static final int STRATEGY_MURMUR128_MITZ_64 = 1;
    public static final int HEADER_BYTES = 1 + 1 + 1 + 4;

    private FilterCodec() {}

    public static byte[] encode(GuidFilter filter) {
        FilterParams p = filter.params();
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + p.byteCount());
        out.put((byte) FORMAT);
        writeShape(out, p);
        filter.writeWords(out);
        return out.array();
    }

    /** Decodes a filter that must have shape {@code expected}; anything else is refused. */
    public static GuidFilter decode(byte[] bytes, FilterParams expected) {
        if (bytes.length < HEADER_BYTES) {
            throw new WireFormatException("filter of " + bytes.length + " bytes is shorter than its "
                    + HEADER_BYTES + "-byte header");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int format = in.get() & 0xff;
        if (format != FORMAT) {
            throw new WireFormatException("filter format (" + format + ") must be " + FORMAT);
        }
        readShape(in, expected, "filter");
        if (in.remaining() != expected.byteCount()) {
            throw new WireFormatException("filter header says " + expected.byteCount() + " bit-array bytes but "
                    + in.remaining() + " follow");
        }
        return GuidFilter.fromWords(expected, in);
    }

    /**
     * Reads {@code u8 strategy ‖ u8 numHashFunctions ‖ u32 bitCount} and checks them against
     * {@code expected}; shared with the gossip format, whose levels all have one shape.
     */
    public static void readShape(ByteBuffer in, FilterParams expected, String what) {
        try {
            int strategy = in.get() & 0xff;
            if (strategy != STRATEGY_MURMUR128_MITZ_64) {
                throw new WireFormatException(what + " hash strategy (" + strategy + ") must be "
                        + STRATEGY_MURMUR128_MITZ_64);
            }
            int hashes = in.get() & 0xff;
            if (hashes != expected.numHashFunctions()) {
                throw new WireFormatException(what + " numHashFunctions (" + hashes + ") must be the overlay's "
                        + expected.numHashFunctions());
            }
            long bits = Integer.toUnsignedLong(in.getInt());
            if (bits != expected.bitCount()) {
                throw new WireFormatException(what + " bitCount (" + bits + ") must be the overlay's "
                        + expected.bitCount());
            }
        } catch (BufferUnderflowException e) {
            throw new WireFormatException(what + " ends inside its filter shape");
        }
    }

    /** Writes the shape fields {@link #readShape} reads. */
    public static void writeShape(ByteBuffer out, FilterParams p) {
        out.put((byte) STRATEGY_MURMUR128_MITZ_64).put((byte) p.numHashFunctions()).putInt(p.bitCount());
    }
}
