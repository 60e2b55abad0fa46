package ostore.crypto;

import java.util.Objects;

/**
 * What executing one update did, as the inner ring signs it: a leaf of a batch's results Merkle
 * tree. Format 1, big-endian: {@code [u8 format = 1][32 update digest][u8 outcome][u8 rejection]
 * [32 aguid][i64 seq][32 vguid or zeros][i64 timestamp micros]}.
 *
 * @param outcome {@link #COMMITTED}, {@link #ABORTED} or {@link #REJECTED}
 * @param rejection the rejection code for {@link #REJECTED} (1 and up, the ring's stable numbering),
 *     else 0
 * @param seq the version created (commit) or the latest seq then (abort, reject; 0 if none)
 * @param vguid the version created; all zeros unless committed
 */
public record ResultLeaf(Hash32 updateDigest, int outcome, int rejection, Aguid aguid, long seq, Hash32 vguid,
        long timestampMicros) {
    public static final int FORMAT = 1;
    public static final int COMMITTED = 1;
    public static final int ABORTED = 2;
    public static final int REJECTED = 3;
    public static final int ENCODED_BYTES = 1 + 32 + 1 + 1 + 32 + 8 + 32 + 8;
    public static final Hash32 NO_VGUID = Hash32.of(new byte[Hash32.LENGTH]);

    public ResultLeaf {
        Objects.requireNonNull(updateDigest, "updateDigest");
        Objects.requireNonNull(aguid, "aguid");
        Objects.requireNonNull(vguid, "vguid");
        if (outcome < COMMITTED || outcome > REJECTED) {
            throw new IllegalArgumentException("outcome (" + outcome + ") must be 1, 2 or 3");
        }
        if ((outcome == REJECTED) != (rejection > 0) || rejection < 0 || rejection > 0xff) {
            throw new IllegalArgumentException("rejection (" + rejection + ") must be 1..255 exactly when outcome ("
                    + outcome + ") is rejected");
        }
        if ((outcome == COMMITTED) == vguid.equals(NO_VGUID)) {
            throw new IllegalArgumentException("vguid (" + vguid + ") must be set exactly when outcome ("
                    + outcome + ") is committed");
        }
        if (seq < 0) {
            throw new IllegalArgumentException("seq (" + seq + ") must be >= 0");
        }
    }

    public byte[] encode() {
        CanonicalEncoder e = new CanonicalEncoder(ENCODED_BYTES);
        encodeTo(e);
        return e.toByteArray();
    }

    public void encodeTo(CanonicalEncoder e) {
        e.u8(FORMAT).hash(updateDigest).u8(outcome).u8(rejection).hash(aguid.hash()).i64(seq).hash(vguid)
                .i64(timestampMicros);
    }

    public static ResultLeaf decode(CanonicalDecoder d) {
        int format = d.u8("result leaf format");
        if (format != FORMAT) {
            throw new IllegalArgumentException("result leaf format (" + format + ") must be " + FORMAT);
        }
        Hash32 digest = d.hash("result leaf update digest");
        int outcome = d.u8("result leaf outcome");
        int rejection = d.u8("result leaf rejection");
        Aguid aguid = new Aguid(d.hash("result leaf aguid"));
        long seq = d.i64("result leaf seq");
        Hash32 vguid = d.hash("result leaf vguid");
        return new ResultLeaf(digest, outcome, rejection, aguid, seq, vguid, d.i64("result leaf timestamp"));
    }

    /** The leaf's node in the results tree. */
    public Hash32 hash() {
        return Hashing.hash(Domain.RESULT_LEAF, encode());
    }
}
