package ostore.store.rocks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;

/**
 * Key layouts of every column family. Integers are big-endian so RocksDB's bytewise order is
 * numeric order; timestamps have their sign bit flipped so negative times sort first. The layout
 * is covered by {@link RocksVersionStore#STORE_FORMAT}: change it only with a new format.
 */
final class StoreKeys {
    static final byte[] STORE_FORMAT = "store-format".getBytes(StandardCharsets.US_ASCII);

    private static final int AGUID = Hash32.LENGTH;

    private static final byte[] APPLIED = "applied/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DIGEST = "digest/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INSTALLING = "installing/".getBytes(StandardCharsets.US_ASCII);

    private StoreKeys() {}

    /** meta: "applied/" ‖ color as one unsigned byte, to the color's applied position. */
    static byte[] appliedPosition(int color) {
        assert color >= 0 && color <= 0xff : "a color fits one unsigned byte";
        return ByteBuffer.allocate(APPLIED.length + 1).put(APPLIED).put((byte) color).array();
    }

    /** meta: "digest/" ‖ color, to the color's 32-byte store digest (absent: all zeros). */
    static byte[] storeDigest(int color) {
        return colorKey(DIGEST, color);
    }

    /** meta: "installing/" ‖ color, present while a snapshot of the color is being installed. */
    static byte[] installing(int color) {
        return colorKey(INSTALLING, color);
    }

    private static byte[] colorKey(byte[] prefix, int color) {
        assert color >= 0 && color <= 0xff : "a color fits one unsigned byte";
        return ByteBuffer.allocate(prefix.length + 1).put(prefix).put((byte) color).array();
    }

    /** journal: color as one unsigned byte ‖ position (positions are >= 0, so bytewise order is numeric). */
    static byte[] journal(int color, long position) {
        return ByteBuffer.allocate(9).put((byte) color).putLong(position).array();
    }

    /** A key past every journal key of {@code color}: its position bytes are all ones. */
    static byte[] journalEnd(int color) {
        return ByteBuffer.allocate(9).put((byte) color).putLong(-1L).array();
    }

    /** versions: aguid ‖ seq. */
    static byte[] version(Aguid aguid, long seq) {
        return ByteBuffer.allocate(AGUID + 8).put(aguid.toBytes()).putLong(seq).array();
    }

    /** history: aguid ‖ index. */
    static byte[] history(Aguid aguid, long index) {
        return version(aguid, index);
    }

    /** certificates: aguid ‖ seq, the key of the version it certifies. */
    static byte[] certificate(Aguid aguid, long seq) {
        return version(aguid, seq);
    }

    /** A key above every aguid-prefixed key (all are 40 bytes or longer, none starts with 33 0xff bytes). */
    static final byte[] END = filled(AGUID + 1);

    private static byte[] filled(int length) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) 0xff);
        return b;
    }

    /** uncertified, the value: u8 color ‖ i64 position (the key is the version's, as for certificates). */
    static byte[] uncertified(int color, long position) {
        return ByteBuffer.allocate(9).put((byte) color).putLong(position).array();
    }

    static ostore.store.Uncertified uncertified(byte[] key, byte[] value) {
        if (key.length != AGUID + 8 || value.length != 9) {
            throw new IllegalStateException("corrupt uncertified mark: key of " + key.length + " bytes, value of "
                    + value.length);
        }
        ByteBuffer v = ByteBuffer.wrap(value);
        return new ostore.store.Uncertified(new Aguid(Hash32.of(java.util.Arrays.copyOf(key, AGUID))),
                trailingLong(key), Byte.toUnsignedInt(v.get()), v.getLong());
    }

    /** as-of: aguid ‖ timestamp (sign flipped) ‖ seq. */
    static byte[] asOf(Aguid aguid, long timestampMicros, long seq) {
        return ByteBuffer.allocate(AGUID + 16).put(aguid.toBytes())
                .putLong(timestampMicros ^ Long.MIN_VALUE).putLong(seq).array();
    }

    /** nonces: aguid ‖ writer ‖ nonce. */
    static byte[] nonce(Aguid aguid, PublicKey writer, long nonce) {
        return ByteBuffer.allocate(AGUID + PublicKey.LENGTH + 8).put(aguid.toBytes())
                .put(writer.toBytes()).putLong(nonce).array();
    }

    /** The seq at the end of a versions or as-of key. */
    static long trailingLong(byte[] key) {
        return ByteBuffer.wrap(key, key.length - 8, 8).getLong();
    }

    static boolean hasPrefix(byte[] key, Aguid aguid) {
        byte[] prefix = aguid.toBytes();
        return key.length >= prefix.length && java.util.Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    static byte[] i64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static long i64(byte[] b) {
        if (b.length != 8) {
            throw new IllegalStateException("corrupt 8-byte value of length " + b.length);
        }
        return ByteBuffer.wrap(b).getLong();
    }
}
