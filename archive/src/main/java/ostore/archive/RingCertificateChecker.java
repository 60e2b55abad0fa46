package ostore.archive;

import java.util.List;
import ostore.crypto.Aguid;
import ostore.crypto.Certificate;
import ostore.crypto.PublicKey;
import ostore.crypto.ResultLeaf;
import ostore.crypto.Vguid;

/**
 * Checks a ring {@link Certificate}: at least 2f+1 of the ring's replicas signed a results root
 * that contains a committed leaf for exactly this aguid and seq.
 */
public final class RingCertificateChecker implements CertificateChecker {
    private final List<PublicKey> ringKeys;
    private final int f;

    /** @param ringKeys the replicas' public keys, index = replica id */
    public RingCertificateChecker(List<PublicKey> ringKeys, int f) {
        this.ringKeys = List.copyOf(ringKeys);
        this.f = f;
        if (f < 0 || this.ringKeys.size() < 3 * f + 1) {
            throw new IllegalArgumentException("a ring of " + this.ringKeys.size() + " keys cannot tolerate f (" + f
                    + ")");
        }
    }

    @Override
    public Vguid check(Aguid aguid, long seq, byte[] certificate) {
        Certificate c = Certificate.decode(certificate);
        c.check(ringKeys, f);
        ResultLeaf leaf = c.leaf();
        if (leaf.outcome() != ResultLeaf.COMMITTED || !leaf.aguid().equals(aguid) || leaf.seq() != seq) {
            throw new IllegalArgumentException("certificate is for " + leaf.aguid() + " seq " + leaf.seq()
                    + " (outcome " + leaf.outcome() + "), not a commit of " + aguid + " seq " + seq);
        }
        return new Vguid(leaf.vguid());
    }
}
