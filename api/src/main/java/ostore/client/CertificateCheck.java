package ostore.client;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.util.Objects;
import ostore.crypto.Certificate;
import ostore.crypto.ResultLeaf;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/**
 * Checks a version's ring certificate against a ring configuration: 2f+1 distinct replicas of the
 * ring signed a batch result of this epoch whose Merkle tree holds a committed leaf naming exactly
 * this version (aguid, seq, VGUID, timestamp). Together with the VGUID the client recomputes from
 * the root and the block hashes, that proves the bytes are what the ring ordered and executed.
 */
public final class CertificateCheck {
    private final RingSpec ring;

    public CertificateCheck(RingSpec ring) {
        this.ring = Objects.requireNonNull(ring, "ring");
    }

    /**
     * @param encoded the certificate bytes a replica sent with the root (empty: none)
     * @param vguid the VGUID the client computed from {@code root}
     * @throws OstoreException {@code FAILED_PRECONDITION} if there is no certificate (a replica may
     *     simply not have gathered one yet: ask another), {@code DATA_LOSS} if it does not hold
     */
    public Certificate check(ByteString encoded, VersionRoot root, Vguid vguid) {
        if (encoded.isEmpty()) {
            throw new OstoreException(Status.Code.FAILED_PRECONDITION, "version " + root.seq() + " of " + root.aguid()
                    + " came without a ring certificate");
        }
        Certificate c;
        try {
            c = Certificate.decode(encoded.toByteArray());
            c.check(ring.keys(), ring.f());
        } catch (IllegalArgumentException e) {
            throw OstoreException.dataLoss("certificate of version " + root.seq() + ": " + e.getMessage(), e);
        }
        if (c.statement().epoch() != ring.epoch()) {
            throw OstoreException.dataLoss("certificate of version " + root.seq() + " is of ring epoch "
                    + c.statement().epoch() + ", the configuration's is " + ring.epoch());
        }
        ResultLeaf leaf = c.leaf();
        String mismatch = leaf.outcome() != ResultLeaf.COMMITTED ? "outcome " + leaf.outcome() + " is not a commit"
                : !leaf.aguid().equals(root.aguid()) ? "aguid " + leaf.aguid() + " is not " + root.aguid()
                : leaf.seq() != root.seq() ? "seq " + leaf.seq() + " is not " + root.seq()
                : !leaf.vguid().equals(vguid.hash()) ? "VGUID " + leaf.vguid() + " is not " + vguid
                : leaf.timestampMicros() != root.timestampMicros()
                        ? "timestamp " + leaf.timestampMicros() + " is not " + root.timestampMicros() : null;
        if (mismatch != null) {
            throw OstoreException.dataLoss("certificate does not name this version: its " + mismatch);
        }
        return c;
    }
}
