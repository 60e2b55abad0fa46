package ostore.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Seeded rings, result leaves and batch statements for the tests of what a client verifies
 * ({@link Certificate}, {@link ResultReply}, {@link MerkleProof}). Hashes the tests compare with are
 * computed here with the JDK's SHA-256 and the tags spelled out, not with {@link Hashing}.
 */
final class ResultFixtures {
    /** A ring of 4 (f = 1) and one of 7 (f = 2), no key shared: replica i's seed counts up from base + 8i. */
    static final List<SigningKey> RING4 = ring(4, 0x80);
    static final List<SigningKey> RING7 = ring(7, 0xa0);
    static final SigningKey OUTSIDER = Fixtures.seeded(0xe0);

    static final Hash32 DIGEST = sha("update digest of the test update");
    static final Hash32 VGUID = sha("vguid of the version it made");
    static final long TIMESTAMP = 1_795_000_000_123_456L;

    private ResultFixtures() {}

    static List<SigningKey> ring(int n, int base) {
        return IntStream.range(0, n).mapToObj(i -> Fixtures.seeded(base + 8 * i)).toList();
    }

    static List<PublicKey> keys(List<SigningKey> ring) {
        return ring.stream().map(SigningKey::publicKey).toList();
    }

    /** The committed leaf of the test update: seq 7 of {@link Fixtures#aguid()}. */
    static ResultLeaf leaf() {
        return new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, 0, Fixtures.aguid(), 7, VGUID, TIMESTAMP);
    }

    /** The batch's five leaves; the test update's is at index 3. */
    static List<ResultLeaf> batch() {
        List<ResultLeaf> leaves = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            leaves.add(i == 3 ? leaf() : new ResultLeaf(sha("other update " + i), ResultLeaf.ABORTED, 0,
                    new Aguid(sha("object " + i)), i, ResultLeaf.NO_VGUID, TIMESTAMP - i));
        }
        return leaves;
    }

    static List<Hash32> batchHashes() {
        return batch().stream().map(ResultLeaf::hash).toList();
    }

    static MerkleProof proof() {
        return MerkleProof.of(batchHashes(), 3);
    }

    /** Epoch 3, color 2, batch 17, the root over {@link #batch()}. */
    static ResultStatement statement() {
        return new ResultStatement(3, 2, 17, MerkleProof.root(batchHashes()));
    }

    static byte[] sign(SigningKey key, ResultStatement statement, int signer) {
        return key.sign(Domain.RING_MESSAGE, statement.signedBytes(signer));
    }

    static List<Certificate.Signature> signatures(List<SigningKey> ring, ResultStatement statement, int... signers) {
        return IntStream.of(signers)
                .mapToObj(i -> new Certificate.Signature(i, sign(ring.get(i), statement, i)))
                .toList();
    }

    static Certificate certificate(List<SigningKey> ring, int... signers) {
        return new Certificate(statement(), leaf(), proof(), signatures(ring, statement(), signers));
    }

    static Hash32 sha(String text) {
        return sha(text.getBytes(StandardCharsets.UTF_8));
    }

    static Hash32 sha(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                d.update(p);
            }
            return Hash32.of(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The tag's ASCII bytes and a zero byte, spelled out as docs/protocol.md gives it. */
    static byte[] tag(String tag) {
        return (tag + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
