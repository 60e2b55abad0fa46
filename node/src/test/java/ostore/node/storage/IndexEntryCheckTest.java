package ostore.node.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ostore.archive.IndexEntry;
import ostore.archive.store.ArchiveNames;
import ostore.crypto.Aguid;
import ostore.crypto.Certificate;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.crypto.MerkleProof;
import ostore.crypto.PublicKey;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultStatement;
import ostore.crypto.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A storage node given its ring's keys takes into its index only entries certified for the key's
 * version; a refusal reaches a {@link RemoteFragmentStore} caller as an IOException naming the
 * node, and changes nothing.
 */
@Timeout(120)
class IndexEntryCheckTest {
    private static final List<SigningKey> RING = List.of(key(1), key(2), key(3), key(4));
    private static final Aguid AGUID = Aguid.of(key(9).publicKey(), "storage/index-check");

    @TempDir
    Path dir;

    private static SigningKey key(int first) {
        byte[] seed = new byte[SigningKey.SEED_LENGTH];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) (first * 16 + i);
        }
        return SigningKey.fromSeed(seed);
    }

    /** A certificate of the commit of {@code seq} signed by {@code signers}. */
    private static byte[] certificate(long seq, int... signers) {
        Hash32 vguid = Hashing.hash(Domain.UPDATE, ("version " + seq).getBytes());
        ResultLeaf leaf = new ResultLeaf(Hashing.hash(Domain.UPDATE, ("update " + seq).getBytes()), ResultLeaf.COMMITTED,
                0, AGUID, seq, vguid, 1_800_000_000_000_000L);
        List<Hash32> leaves = List.of(leaf.hash());
        ResultStatement statement = new ResultStatement(0, 0, seq, MerkleProof.root(leaves));
        List<Certificate.Signature> signatures = new ArrayList<>();
        for (int i : signers) {
            signatures.add(new Certificate.Signature(i, RING.get(i).sign(Domain.RING_MESSAGE, statement.signedBytes(i))));
        }
        return new Certificate(statement, leaf, MerkleProof.of(leaves, 0), signatures).encode();
    }

    private static byte[] entry(byte[] certificate) {
        return new IndexEntry(Hashing.hash(Domain.UPDATE, "a manifest".getBytes()), certificate).encode();
    }

    @Test
    void onlyEntriesCertifiedForTheKeysVersionAreAdded() throws IOException {
        List<PublicKey> keys = RING.stream().map(SigningKey::publicKey).toList();
        Hash32 key1 = ArchiveNames.indexKey(AGUID, 1);
        Hash32 key2 = ArchiveNames.indexKey(AGUID, 2);
        try (StorageNode node = StorageNode.start(dir.resolve("node"), "127.0.0.1", 0, keys, 1);
                RemoteFragmentStore remote = RemoteFragmentStore.connect(node.address())) {
            byte[] good = entry(certificate(1, 0, 1, 2));
            assertTrue(remote.addIndex(key1, good));

            IOException wrongKey = assertThrows(IOException.class, () -> remote.addIndex(key2, good));
            assertTrue(wrongKey.getMessage().contains("storage node " + node.address() + " refused AddIndex:"
                    + " INVALID_ARGUMENT: AddIndexRequest.value's certificate is for " + AGUID + " seq 1, whose index"
                    + " key is " + key1.toHex() + ", not " + key2.toHex()), wrongKey.getMessage());

            IOException junk = assertThrows(IOException.class, () -> remote.addIndex(key2, "junk".getBytes()));
            assertTrue(junk.getMessage().contains("AddIndexRequest.value is not an archive index entry with a"
                    + " certificate"), junk.getMessage());

            IOException tooFew = assertThrows(IOException.class,
                    () -> remote.addIndex(key2, entry(certificate(2, 0, 1))));
            assertTrue(tooFew.getMessage().contains("certificate does not verify against this node's ring"),
                    tooFew.getMessage());

            assertTrue(remote.addIndex(key2, entry(certificate(2, 1, 2, 3))));
            assertEquals(1, remote.index(key1).size());
            assertEquals(1, remote.index(key2).size());
        }
    }

    @Test
    void aNodeWithoutARingTakesAnyValue() throws IOException {
        try (StorageNode node = StorageNode.start(dir.resolve("open"), "127.0.0.1", 0);
                RemoteFragmentStore remote = RemoteFragmentStore.connect(node.address())) {
            assertTrue(remote.addIndex(ArchiveNames.indexKey(AGUID, 5), "anything".getBytes()));
        }
    }
}
