package ostore.store.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import ostore.crypto.Aguid;
import ostore.crypto.Certificate;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.MerkleProof;
import ostore.crypto.PublicKey;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultStatement;
import ostore.crypto.SigningKey;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;

/**
 * A ring of four replica keys (f = 1) that signs real {@link Certificate}s, and the check a ring
 * makes of one, so the store's tests of archived versions verify signatures rather than trust a
 * stand-in. The certificate is the ring's format: a one-leaf batch signed by the first 2f+1 keys.
 */
public final class TestRing {
    public static final int F = 1;
    private static final List<SigningKey> KEYS = IntStream.range(0, 3 * F + 1).mapToObj(i -> Updates.key(40 + i))
            .toList();
    /** A key outside the ring, for certificates that must not verify. */
    private static final SigningKey OUTSIDER = Updates.key(99);

    private TestRing() {}

    public static List<PublicKey> keys() {
        return KEYS.stream().map(SigningKey::publicKey).toList();
    }

    /** A certificate of {@code v} signed by 2f+1 ring replicas. */
    public static byte[] certify(StoredVersion v) {
        return certify(v, KEYS.subList(0, 2 * F + 1));
    }

    /** A certificate of {@code v} whose last signature is by a key outside the ring (signing as replica 2f). */
    public static byte[] forge(StoredVersion v) {
        List<SigningKey> signers = new ArrayList<>(KEYS.subList(0, 2 * F));
        signers.add(OUTSIDER);
        return certify(v, signers);
    }

    private static byte[] certify(StoredVersion v, List<SigningKey> signers) {
        ResultLeaf leaf = new ResultLeaf(v.root().updateDigest(), ResultLeaf.COMMITTED, 0, v.root().aguid(),
                v.root().seq(), v.vguid().hash(), v.root().timestampMicros());
        List<Hash32> leaves = List.of(leaf.hash());
        ResultStatement statement = new ResultStatement(1, 0, v.root().seq(), MerkleProof.root(leaves));
        List<Certificate.Signature> signatures = new ArrayList<>();
        for (int i = 0; i < signers.size(); i++) {
            signatures.add(new Certificate.Signature(i, signers.get(i).sign(Domain.RING_MESSAGE,
                    statement.signedBytes(i))));
        }
        return new Certificate(statement, leaf, MerkleProof.of(leaves, 0), signatures).encode();
    }

    /** The check a ring makes: 2f+1 ring signatures over a commit of exactly (aguid, seq). */
    public static VersionStore.CertificateCheck check() {
        return (Aguid aguid, long seq, byte[] certificate) -> {
            Certificate c = Certificate.decode(certificate);
            c.check(keys(), F);
            if (c.leaf().outcome() != ResultLeaf.COMMITTED || !c.leaf().aguid().equals(aguid) || c.leaf().seq() != seq) {
                throw new IllegalArgumentException("the certificate is for " + c.leaf().aguid() + " seq "
                        + c.leaf().seq() + ", not a commit of " + aguid + " seq " + seq);
            }
            return new ostore.crypto.Vguid(c.leaf().vguid());
        };
    }
}
