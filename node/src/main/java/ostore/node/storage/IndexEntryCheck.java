package ostore.node.storage;

import java.util.List;
import java.util.Objects;
import ostore.archive.IndexEntry;
import ostore.archive.RingCertificateChecker;
import ostore.archive.store.ArchiveNames;
import ostore.crypto.Certificate;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.ResultLeaf;

/**
 * What a storage node that knows its ring accepts into its index: only an archive {@link
 * IndexEntry} whose certificate the ring signed for exactly the (aguid, seq) the key names.
 *
 * <p>Why: an index key holds at most {@link ostore.archive.store.FragmentStore#MAX_INDEX_VALUES}
 * values, and AddIndex is not authenticated, so without this anyone could fill the key of a version
 * not yet committed (seq + 1) with junk, and the replicas' entries would be refused once it
 * commits. With it, only a holder of that version's certificate can add entries, which is possible
 * only after the commit. What stays open: a certificate is public once any entry carries it, so
 * someone can still add up to the limit of entries that name other manifests (restorers skip them:
 * they rank and verify manifests), and Put is unauthenticated, so anyone can fill a node's disk.
 * Authenticating writers at the transport (mutual TLS with the replicas' keys) is future work.
 */
public final class IndexEntryCheck {
    private final RingCertificateChecker checker;

    /** @param ringKeys the ring's replica keys, index = replica id; @param f the faults it tolerates */
    public IndexEntryCheck(List<PublicKey> ringKeys, int f) {
        this.checker = new RingCertificateChecker(Objects.requireNonNull(ringKeys, "ringKeys"), f);
    }

    /** Null if {@code value} may be added under {@code key}, else why not (for the status message). */
    public String refusal(Hash32 key, byte[] value) {
        IndexEntry entry;
        Certificate certificate;
        try {
            entry = IndexEntry.decode(value);
            certificate = Certificate.decode(entry.certificate());
        } catch (IllegalArgumentException e) {
            return "AddIndexRequest.value is not an archive index entry with a certificate: " + e.getMessage();
        }
        ResultLeaf leaf = certificate.leaf();
        try {
            checker.check(leaf.aguid(), leaf.seq(), entry.certificate());
        } catch (IllegalArgumentException e) {
            return "AddIndexRequest.value's certificate does not verify against this node's ring: " + e.getMessage();
        }
        Hash32 expected = ArchiveNames.indexKey(leaf.aguid(), leaf.seq());
        if (!expected.equals(key)) {
            return "AddIndexRequest.value's certificate is for " + leaf.aguid() + " seq " + leaf.seq() + ", whose index key is "
                    + expected.toHex() + ", not " + key.toHex();
        }
        return null;
    }
}
