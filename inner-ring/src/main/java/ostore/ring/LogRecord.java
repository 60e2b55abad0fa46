package ostore.ring;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * What the ring writes to the shared log for one update, format 1, big-endian:
 * {@code [u8 format = 1][u8 type = 1 (update)][i64 timestamp micros][u32 length][signed update]}.
 * The signed update is stored exactly as received, so replay re-decodes the bytes that were signed.
 */
public record LogRecord(long timestampMicros, byte[] signedUpdate) {
    public static final int FORMAT_VERSION = 1;
    public static final int TYPE_UPDATE = 1;
    public static final int HEADER_BYTES = 1 + 1 + 8 + 4;

    public LogRecord {
        Objects.requireNonNull(signedUpdate, "signedUpdate");
    }

    public byte[] encode() {
        return ByteBuffer.allocate(HEADER_BYTES + signedUpdate.length)
                .put((byte) FORMAT_VERSION)
                .put((byte) TYPE_UPDATE)
                .putLong(timestampMicros)
                .putInt(signedUpdate.length)
                .put(signedUpdate)
                .array();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not a format 1 update record */
    public static LogRecord decode(byte[] bytes) {
        if (bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException("log record length (" + bytes.length + ") is below the header ("
                    + HEADER_BYTES + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int format = Byte.toUnsignedInt(b.get());
        int type = Byte.toUnsignedInt(b.get());
        if (format != FORMAT_VERSION || type != TYPE_UPDATE) {
            throw new IllegalArgumentException("log record format " + format + " type " + type
                    + " is not format " + FORMAT_VERSION + " type " + TYPE_UPDATE);
        }
        long timestamp = b.getLong();
        int length = b.getInt();
        if (length != b.remaining()) {
            throw new IllegalArgumentException("log record says " + length + " update bytes but holds " + b.remaining());
        }
        byte[] update = new byte[length];
        b.get(update);
        return new LogRecord(timestamp, update);
    }
}
