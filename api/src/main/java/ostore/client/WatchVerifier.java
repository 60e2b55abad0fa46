package ostore.client;

import java.util.Objects;
import ostore.crypto.Aguid;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/**
 * Checks a watch stream: every root is for the watched object and hashes to its claimed VGUID, the
 * first has seq {@code max(fromSeq, 1)} and each next one has the following seq and names its
 * predecessor's VGUID. So the stream is one unbroken hash chain: a server can delay or end it but
 * cannot skip, reorder or splice versions without a {@code DATA_LOSS} error.
 */
public final class WatchVerifier {
    private final Aguid aguid;
    private long expectedSeq;
    private Vguid previous;

    public WatchVerifier(Aguid aguid, long fromSeq) {
        this.aguid = Objects.requireNonNull(aguid, "aguid");
        Predicates.checkNonNegative(fromSeq, "fromSeq");
        this.expectedSeq = Math.max(fromSeq, 1);
    }

    public VerifiedRoot accept(ostore.api.v1.VersionRoot proto) {
        VerifiedRoot verified = RootChecks.decode(proto, aguid);
        VersionRoot root = verified.root();
        if (root.seq() != expectedSeq) {
            throw OstoreException.dataLoss("watch sent seq " + root.seq() + ", expected seq " + expectedSeq);
        }
        if (previous != null && !root.predecessor().orElseThrow().equals(previous)) {
            throw OstoreException.dataLoss("watch sent seq " + root.seq() + " with predecessor "
                    + root.predecessor().orElseThrow() + ", but seq " + (root.seq() - 1) + " was " + previous);
        }
        previous = verified.vguid();
        expectedSeq++;
        return verified;
    }
}
