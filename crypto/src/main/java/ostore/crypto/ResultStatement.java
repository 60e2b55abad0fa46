package ostore.crypto;

import java.util.Objects;

/**
 * What an inner-ring replica signs after executing a batch: "in ring epoch {@code epoch}, batch
 * {@code seqno} of color {@code color} produced the results tree with root {@code resultsRoot}".
 * It is the body of the ring's BATCH-RESULT frame, and the bytes signed are exactly that frame
 * without its signature, so one signature per batch serves the replicas, the client's replies and
 * the certificate:
 * {@code [u8 frame format = 1][u8 type = 4][u32 signer][i64 epoch][u32 color][i64 seqno][32 resultsRoot]},
 * signed under {@link Domain#RING_MESSAGE}. The ring's frame codec uses this class for that type,
 * so the two cannot drift apart.
 */
public record ResultStatement(long epoch, int color, long seqno, Hash32 resultsRoot) {
    public static final int FRAME_FORMAT = 1;
    public static final int FRAME_TYPE = 4;
    public static final int BODY_BYTES = 8 + 4 + 8 + 32;

    public ResultStatement {
        Objects.requireNonNull(resultsRoot, "resultsRoot");
        if (epoch < 0 || color < 0 || seqno < 1) {
            throw new IllegalArgumentException("epoch (" + epoch + ") and color (" + color
                    + ") must be >= 0 and seqno (" + seqno + ") >= 1");
        }
    }

    public void encodeBody(CanonicalEncoder e) {
        e.i64(epoch).u32(color).i64(seqno).hash(resultsRoot);
    }

    public static ResultStatement decodeBody(CanonicalDecoder d) {
        long epoch = d.u63("result epoch");
        int color = d.u32AtMost("result color", Integer.MAX_VALUE);
        long seqno = d.u63("result seqno");
        return new ResultStatement(epoch, color, seqno, d.hash("result root"));
    }

    /** The frame bytes that replica {@code signer} signs. */
    public byte[] signedBytes(int signer) {
        CanonicalEncoder e = new CanonicalEncoder(6 + BODY_BYTES).u8(FRAME_FORMAT).u8(FRAME_TYPE).u32(signer);
        encodeBody(e);
        return e.toByteArray();
    }

    public boolean verify(int signer, PublicKey key, byte[] signature) {
        return key.verify(Domain.RING_MESSAGE, signedBytes(signer), signature);
    }
}
