package ostore.client;

import static ostore.client.Fixtures.AGUID;
import static ostore.client.Fixtures.assertFails;
import static ostore.client.Fixtures.blocks;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import ostore.crypto.Aguid;
import ostore.crypto.Certificate;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.MerkleProof;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultStatement;
import ostore.crypto.SigningKey;
import ostore.crypto.VersionRoot;

/**
 * A read from one replica is trusted only through its certificate: 2f+1 replicas of the configured
 * ring, in the configured epoch, signed a committed leaf naming exactly the version read. Each
 * mismatch is DATA_LOSS naming it; a missing certificate is FAILED_PRECONDITION (ask another replica).
 */
class CertificateCheckTest {
    private static final long EPOCH = 5;
    private static final List<SigningKey> RING = keys(40);
    private static final List<SigningKey> OTHER_RING = keys(60);
    private static final RingSpec SPEC = spec(RING);
    private static final Status.Code DATA_LOSS = Status.Code.DATA_LOSS;

    private final VersionRoot root = Fixtures.firstRoot(blocks(10, 20));
    private final CertificateCheck check = new CertificateCheck(SPEC);

    private static List<SigningKey> keys(int firstSeedByte) {
        return IntStream.range(0, 4).mapToObj(i -> Fixtures.key(firstSeedByte + i)).toList();
    }

    private static RingSpec spec(List<SigningKey> ring) {
        List<RingSpec.Member> members = new ArrayList<>();
        for (int i = 0; i < ring.size(); i++) {
            members.add(new RingSpec.Member(i, "127.0.0.1", 7500 + i, ring.get(i).publicKey()));
        }
        return new RingSpec(EPOCH, 1, 1, Map.of(), members);
    }

    private ResultLeaf leaf() {
        return new ResultLeaf(root.updateDigest(), ResultLeaf.COMMITTED, 0, root.aguid(), root.seq(), root.vguid().hash(),
                root.timestampMicros());
    }

    /** {@code leaf} as the second of three in a batch of {@code epoch}, signed by {@code signers} of {@code ring}. */
    private static ByteString certificate(ResultLeaf leaf, long epoch, List<SigningKey> ring, int... signers) {
        List<Hash32> leaves = List.of(Fixtures.digest("before"), leaf.hash(), Fixtures.digest("after"));
        ResultStatement statement = new ResultStatement(epoch, 0, 12, MerkleProof.root(leaves));
        List<Certificate.Signature> signatures = new ArrayList<>();
        for (int i : signers) {
            signatures.add(new Certificate.Signature(i, ring.get(i).sign(Domain.RING_MESSAGE, statement.signedBytes(i))));
        }
        return ByteString.copyFrom(new Certificate(statement, leaf, MerkleProof.of(leaves, 1), signatures).encode());
    }

    private ByteString certificate(ResultLeaf leaf) {
        return certificate(leaf, EPOCH, RING, 0, 1, 3);
    }

    @Test
    void acceptsTheCertificateOfThisVersion() {
        Certificate c = check.check(certificate(leaf()), root, root.vguid());
        assertEquals(leaf(), c.leaf());
        assertEquals(EPOCH, c.statement().epoch());
        check.check(certificate(leaf(), EPOCH, RING, 0, 1, 2, 3), root, root.vguid());
    }

    @Test
    void noCertificateIsAFailedPrecondition() {
        assertFails(Status.Code.FAILED_PRECONDITION, "version 1 of " + AGUID + " came without a ring certificate",
                () -> check.check(ByteString.EMPTY, root, root.vguid()));
    }

    @Test
    void aCertificateOfAnotherEpochIsRefused() {
        assertFails(DATA_LOSS, "certificate of version 1 is of ring epoch 6, the configuration's is 5",
                () -> check.check(certificate(leaf(), EPOCH + 1, RING, 0, 1, 2), root, root.vguid()));
        assertFails(DATA_LOSS, "is of ring epoch 4, the configuration's is 5",
                () -> check.check(certificate(leaf(), EPOCH - 1, RING, 0, 1, 2), root, root.vguid()));
    }

    @Test
    void onlyACommitCertifiesAVersion() {
        ResultLeaf abort = new ResultLeaf(root.updateDigest(), ResultLeaf.ABORTED, 0, root.aguid(), root.seq(),
                ResultLeaf.NO_VGUID, root.timestampMicros());
        assertFails(DATA_LOSS, "certificate does not name this version: its outcome 2 is not a commit",
                () -> check.check(certificate(abort), root, root.vguid()));
        ResultLeaf reject = new ResultLeaf(root.updateDigest(), ResultLeaf.REJECTED, 2, root.aguid(), root.seq(),
                ResultLeaf.NO_VGUID, root.timestampMicros());
        assertFails(DATA_LOSS, "its outcome 3 is not a commit", () -> check.check(certificate(reject), root, root.vguid()));
    }

    @Test
    void theLeafMustNameThisVersionFieldByField() {
        Aguid other = Aguid.of(Fixtures.OTHER.publicKey(), "notes.txt");
        assertFails(DATA_LOSS, "certificate does not name this version: its aguid " + other + " is not " + AGUID,
                () -> check.check(certificate(withLeaf(other, root.seq(), root.vguid().hash(), root.timestampMicros())),
                        root, root.vguid()));
        assertFails(DATA_LOSS, "certificate does not name this version: its seq 2 is not 1",
                () -> check.check(certificate(withLeaf(AGUID, 2, root.vguid().hash(), root.timestampMicros())),
                        root, root.vguid()));
        Hash32 otherVguid = Fixtures.firstRoot(blocks(11)).vguid().hash();
        assertFails(DATA_LOSS, "certificate does not name this version: its VGUID " + otherVguid + " is not "
                + root.vguid(), () -> check.check(certificate(withLeaf(AGUID, 1, otherVguid, root.timestampMicros())),
                        root, root.vguid()));
        assertFails(DATA_LOSS, "certificate does not name this version: its timestamp 1000001 is not 1000000",
                () -> check.check(certificate(withLeaf(AGUID, 1, root.vguid().hash(), root.timestampMicros() + 1)),
                        root, root.vguid()));
    }

    @Test
    void theVguidComparedIsTheOneTheClientComputed() {
        // The certificate names this root; the caller computed another VGUID (say, for other bytes).
        VersionRoot other = Fixtures.firstRoot(blocks(11));
        assertFails(DATA_LOSS, "its VGUID " + root.vguid() + " is not " + other.vguid(),
                () -> check.check(certificate(leaf()), root, other.vguid()));
    }

    private ResultLeaf withLeaf(Aguid aguid, long seq, Hash32 vguid, long timestamp) {
        return new ResultLeaf(root.updateDigest(), ResultLeaf.COMMITTED, 0, aguid, seq, vguid, timestamp);
    }

    @Test
    void aCertificateOfAnotherRingsKeysIsRefused() {
        assertFails(DATA_LOSS, "certificate of version 1: signature of replica 0 does not verify",
                () -> check.check(certificate(leaf(), EPOCH, OTHER_RING, 0, 1, 2), root, root.vguid()));
        // Two of this ring and one outsider signing as replica 2.
        List<SigningKey> mixed = List.of(RING.get(0), RING.get(1), OTHER_RING.get(2), RING.get(3));
        assertFails(DATA_LOSS, "certificate of version 1: signature of replica 2 does not verify",
                () -> check.check(certificate(leaf(), EPOCH, mixed, 0, 1, 2), root, root.vguid()));
        // The other ring's own configuration accepts it: the keys are what decides.
        new CertificateCheck(spec(OTHER_RING)).check(certificate(leaf(), EPOCH, OTHER_RING, 0, 1, 2), root, root.vguid());
    }

    @Test
    void tooFewSignaturesOrMalformedBytesAreDataLoss() {
        assertFails(DATA_LOSS, "certificate of version 1: certificate has 2 signatures, needs 2f+1 = 3",
                () -> check.check(certificate(leaf(), EPOCH, RING, 1, 3), root, root.vguid()));
        ByteString good = certificate(leaf());
        assertFails(DATA_LOSS, "certificate of version 1: certificate has 1 trailing bytes",
                () -> check.check(good.concat(ByteString.copyFrom(new byte[1])), root, root.vguid()));
        assertFails(DATA_LOSS, "certificate of version 1: certificate format (2) must be 1",
                () -> check.check(ByteString.copyFrom(new byte[] {2}).concat(good.substring(1)), root, root.vguid()));
        assertFails(DATA_LOSS, "certificate of version 1: ",
                () -> check.check(good.substring(0, good.size() - 1), root, root.vguid()));
        byte[] flipped = good.toByteArray();
        flipped[10] ^= 1; // in the statement: every signature fails
        assertFails(DATA_LOSS, "signature of replica 0 does not verify",
                () -> check.check(ByteString.copyFrom(flipped), root, root.vguid()));
    }
}
