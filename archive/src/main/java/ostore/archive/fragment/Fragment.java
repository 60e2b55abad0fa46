package ostore.archive.fragment;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import ostore.crypto.Hash32;
import ostore.archive.store.ArchiveNames;

/**
 * One shard of one stripe, as a storage node holds it. The header makes a fragment describe
 * itself, so a fragment found on a node can be checked and understood without its manifest; its
 * name ({@link ArchiveNames#objectName}) is what the manifest lists.
 *
 * <p>Format 1, big-endian, {@value #HEADER_BYTES} header bytes then the shard:
 * {@code [u8 format = 1][u8 code id][u16 k][u16 m][u16 shard index][i64 stripe index]
 * [u32 shard length][u32 stripe data length][shard length bytes]}. The encoding is canonical: the
 * shard length must be {@code ceil(stripe data length / k)}, and the bytes of a data shard past the
 * stripe's data must be zero, so equal content always has one encoding and one name.
 *
 * @param shardIndex 0..k-1 for data shards, k..k+m-1 for parity
 * @param stripeDataBytes the stripe's data bytes (the rest of the last data shards is padding)
 */
public record Fragment(int codeId, int dataShards, int parityShards, int shardIndex, long stripeIndex,
        int stripeDataBytes, byte[] shard) {
    public static final int FORMAT = 1;
    public static final int HEADER_BYTES = 1 + 1 + 2 + 2 + 2 + 8 + 4 + 4;

    public Fragment {
        Objects.requireNonNull(shard, "shard");
        check(codeId, dataShards, parityShards, shardIndex, stripeIndex, stripeDataBytes, shard, 0, shard.length);
    }

    /**
     * The header fields of an encoded fragment whose shard stays where it is, at
     * {@link #HEADER_BYTES} of the encoding: what a reader needs to hand the shard to the codec
     * without copying a megabyte per fragment.
     */
    public record Header(int codeId, int dataShards, int parityShards, int shardIndex, long stripeIndex,
            int shardLength, int stripeDataBytes) {}

    /** The checks of the canonical constructor, on a shard at {@code [offset, offset + length)} of {@code shard}. */
    private static void check(int codeId, int dataShards, int parityShards, int shardIndex, long stripeIndex,
            int stripeDataBytes, byte[] shard, int offset, int length) {
        CodeParams code = new CodeParams(codeId, dataShards, parityShards, Math.max(1, length));
        if (shardIndex < 0 || shardIndex >= code.totalShards()) {
            throw new IllegalArgumentException("shard index (" + shardIndex + ") must be in [0, " + code.totalShards()
                    + ")");
        }
        if (stripeIndex < 0) {
            throw new IllegalArgumentException("stripe index (" + stripeIndex + ") must be >= 0");
        }
        if (stripeDataBytes < 1 || code.shardLength(stripeDataBytes) != length) {
            throw new IllegalArgumentException("shard length (" + length + ") must be ceil(stripe data bytes ("
                    + stripeDataBytes + ") / k (" + dataShards + ")), and the stripe data at least 1 byte");
        }
        int padFrom = stripeDataBytes - shardIndex * length;
        if (shardIndex < dataShards && padFrom < length) {
            for (int i = Math.max(0, padFrom); i < length; i++) {
                if (shard[offset + i] != 0) {
                    throw new IllegalArgumentException("data shard " + shardIndex + " has non-zero padding at byte " + i);
                }
            }
        }
    }

    /** The header and the shard. The shard array is not copied: callers must not change it afterwards. */
    public byte[] encode() {
        byte[] out = new byte[HEADER_BYTES + shard.length];
        writeHeader(out, codeId, dataShards, parityShards, shardIndex, stripeIndex, stripeDataBytes);
        System.arraycopy(shard, 0, out, HEADER_BYTES, shard.length);
        return out;
    }

    /** The name of the encoding, as a manifest lists it. */
    public Hash32 name() {
        return ArchiveNames.objectName(encode());
    }

    /**
     * Parses an encoded fragment.
     *
     * @throws IllegalArgumentException naming the first field that is malformed
     */
    public static Fragment decode(byte[] bytes) {
        Header h = parseHeader(bytes);
        return new Fragment(h.codeId(), h.dataShards(), h.parityShards(), h.shardIndex(), h.stripeIndex(),
                h.stripeDataBytes(), Arrays.copyOfRange(bytes, HEADER_BYTES, bytes.length));
    }

    /**
     * Checks an encoded fragment exactly as {@link #decode} does (every header field, the shard
     * length, zero padding) and returns its header; the shard is left in {@code bytes} from
     * {@link #HEADER_BYTES} on, not copied.
     *
     * @throws IllegalArgumentException naming the first field that is malformed
     */
    public static Header checkEncoded(byte[] bytes) {
        Header h = parseHeader(bytes);
        check(h.codeId(), h.dataShards(), h.parityShards(), h.shardIndex(), h.stripeIndex(), h.stripeDataBytes(),
                bytes, HEADER_BYTES, h.shardLength());
        return h;
    }

    /**
     * Writes the header of a fragment into the first {@link #HEADER_BYTES} of {@code encoding}, whose
     * remaining bytes are the shard: so a writer that codes straight into fragment-sized arrays (the
     * shards at offset {@link #HEADER_BYTES}) has the encoding without copying the shard. The caller
     * checks the result as it would a {@link Fragment} ({@link #checkEncoded}) or trusts its own coding.
     */
    public static void writeHeader(byte[] encoding, int codeId, int dataShards, int parityShards, int shardIndex,
            long stripeIndex, int stripeDataBytes) {
        ByteBuffer.wrap(encoding, 0, HEADER_BYTES)
                .put((byte) FORMAT)
                .put((byte) codeId)
                .putShort((short) dataShards)
                .putShort((short) parityShards)
                .putShort((short) shardIndex)
                .putLong(stripeIndex)
                .putInt(encoding.length - HEADER_BYTES)
                .putInt(stripeDataBytes);
    }

    /** The header fields, checked for format and lengths; the rest of the checks are {@link #check}'s. */
    private static Header parseHeader(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException("fragment of " + bytes.length + " bytes is shorter than its "
                    + HEADER_BYTES + "-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int format = Byte.toUnsignedInt(b.get());
        if (format != FORMAT) {
            throw new IllegalArgumentException("fragment format (" + format + ") must be " + FORMAT);
        }
        int code = Byte.toUnsignedInt(b.get());
        int k = Short.toUnsignedInt(b.getShort());
        int m = Short.toUnsignedInt(b.getShort());
        int index = Short.toUnsignedInt(b.getShort());
        long stripe = b.getLong();
        long shardLength = Integer.toUnsignedLong(b.getInt());
        long dataBytes = Integer.toUnsignedLong(b.getInt());
        if (shardLength != bytes.length - HEADER_BYTES) {
            throw new IllegalArgumentException("fragment header says " + shardLength + " shard bytes but "
                    + (bytes.length - HEADER_BYTES) + " follow");
        }
        if (dataBytes > CodeParams.MAX_STRIPE_BYTES) {
            throw new IllegalArgumentException("stripe data bytes (" + dataBytes + ") exceeds "
                    + CodeParams.MAX_STRIPE_BYTES);
        }
        return new Header(code, k, m, index, stripe, (int) shardLength, (int) dataBytes);
    }

    @Override
    public byte[] shard() {
        return shard.clone();
    }

    /** The shard without copying, for the codec; callers must not change it. */
    public byte[] shardUnsafe() {
        return shard;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fragment f && codeId == f.codeId && dataShards == f.dataShards
                && parityShards == f.parityShards && shardIndex == f.shardIndex && stripeIndex == f.stripeIndex
                && stripeDataBytes == f.stripeDataBytes && Arrays.equals(shard, f.shard);
    }

    @Override
    public int hashCode() {
        return Objects.hash(shardIndex, stripeIndex, stripeDataBytes, Arrays.hashCode(shard));
    }

    @Override
    public String toString() {
        return "Fragment[stripe " + stripeIndex + ", shard " + shardIndex + " of " + dataShards + "+" + parityShards
                + ", " + shard.length + " bytes]";
    }
}
