package ostore.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import ostore.archive.BlockSink;
import ostore.archive.BlockSource;
import ostore.archive.CertificateChecker;
import ostore.archive.RingCertificateChecker;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Certificate;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.crypto.MerkleProof;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultStatement;
import ostore.crypto.SigningKey;
import ostore.crypto.Vguid;
import ostore.crypto.VersionRoot;

/**
 * What the archive drivers ({@link ArchiveDriver}, {@link ArchiveResults}) archive: versions with
 * real roots and real 4-replica ring certificates, built from seeded random blocks, and a sink that
 * compares every restored block with the original. Shared so both drivers measure the same
 * objects, and so a restore that returns wrong bytes fails the run instead of being timed.
 */
final class ArchiveVersions {
    /** The block size of the large objects (what a client's 64 KiB writes become). */
    static final int BLOCK_BYTES = 64 << 10;
    /** Pond's small update, and ostore's small-version block. */
    static final int SMALL_BYTES = 4 << 10;
    private static final int RING_SIZE = 4;
    private static final int RING_F = 1;
    private static final List<SigningKey> RING = IntStream.range(0, RING_SIZE).mapToObj(i -> seededKey(0x20 + 0x20 * i))
            .toList();
    private static final SigningKey OWNER = seededKey(0xa0);

    private ArchiveVersions() {}

    /** The checker a restorer needs to accept this ring's certificates. */
    static CertificateChecker ringChecker() {
        return new RingCertificateChecker(RING.stream().map(SigningKey::publicKey).toList(), RING_F);
    }

    /** The object named {@code name} under the benchmark's owner key, with {@code blocks} as its content. */
    static Obj object(String name, List<byte[]> blocks) {
        return new Obj(Aguid.of(OWNER.publicKey(), name), blocks);
    }

    /** {@code size} seeded random bytes in blocks of {@code blockSize}, every block distinct. */
    static List<byte[]> blocks(long seed, long size, int blockSize) {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> blocks = new ArrayList<>();
        for (long at = 0; at < size; at += blockSize) {
            byte[] b = new byte[(int) Math.min(blockSize, size - at)];
            random.nextBytes(b);
            blocks.add(b);
        }
        return blocks;
    }

    private static SigningKey seededKey(int first) {
        byte[] seed = new byte[SigningKey.SEED_LENGTH];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) (first + i);
        }
        return SigningKey.fromSeed(seed);
    }

    /** An object's name and its first version's blocks. */
    record Obj(Aguid aguid, List<byte[]> blocks) {
        Version version(long seq, Optional<Vguid> predecessor, List<byte[]> content) {
            List<BlockListHash.Entry> entries = new ArrayList<>(content.size());
            long size = 0;
            for (byte[] b : content) {
                entries.add(new BlockListHash.Entry(Bguid.ofBlock(b), b.length));
                size += b.length;
            }
            VersionRoot root = new VersionRoot(aguid, seq, predecessor, size, content.size(),
                    BlockListHash.root(entries), 1_900_000_000_000_000L + seq, Acl.ownerOnly(OWNER.publicKey()),
                    Hashing.hash(Domain.UPDATE, (aguid + "/" + seq).getBytes()));
            return new Version(root, entries, content, certificate(root));
        }
    }

    /** A version as the archive sees it: certified root, block list and bytes. */
    record Version(VersionRoot root, List<BlockListHash.Entry> entries, List<byte[]> blocks, byte[] certificate) {
        /** Looks blocks up by BGUID, as a version store does; the writer asks in block order. */
        BlockSource source() {
            Map<Bguid, byte[]> byBguid = new HashMap<>();
            for (int i = 0; i < blocks.size(); i++) {
                byBguid.put(entries.get(i).bguid(), blocks.get(i));
            }
            return (bguid, length) -> byBguid.get(bguid);
        }

        /** The version's size in bytes. */
        long bytes() {
            return root.size();
        }
    }

    /**
     * The certificate a 4-replica ring (f = 1) gives a committed update: a result leaf for the
     * root, in a one-leaf result tree, signed by 2f + 1 replicas.
     */
    private static byte[] certificate(VersionRoot root) {
        ResultLeaf leaf = new ResultLeaf(root.updateDigest(), ResultLeaf.COMMITTED, 0, root.aguid(), root.seq(),
                root.vguid().hash(), root.timestampMicros());
        List<Hash32> leaves = List.of(leaf.hash());
        ResultStatement statement = new ResultStatement(0, 0, root.seq(), MerkleProof.root(leaves));
        List<Certificate.Signature> signatures = new ArrayList<>();
        for (int i = 0; i < 2 * RING_F + 1; i++) {
            signatures.add(new Certificate.Signature(i, RING.get(i).sign(Domain.RING_MESSAGE, statement.signedBytes(i))));
        }
        return new Certificate(statement, leaf, MerkleProof.of(leaves, 0), signatures).encode();
    }

    /**
     * Takes a restored version block by block and compares it with the original; a block that
     * differs, comes out of order, or is missing at commit throws, which fails the restore.
     */
    static final class CheckingSink implements BlockSink {
        private final List<byte[]> expected;
        private long next;

        CheckingSink(List<byte[]> expected) {
            this.expected = expected;
        }

        @Override
        public void begin(VersionRoot root, byte[] certificate) {
            next = 0;
        }

        @Override
        public void accept(long index, Bguid bguid, byte[] bytes) {
            if (index != next || index >= expected.size() || !Arrays.equals(bytes, expected.get((int) index))) {
                throw new IllegalStateException("restored block " + index + " (expected block " + next
                        + ") differs from the archived one");
            }
            next++;
        }

        @Override
        public void commit() {
            if (next != expected.size()) {
                throw new IllegalStateException("restore committed after " + next + " of " + expected.size() + " blocks");
            }
        }

        @Override
        public void abort() {}
    }
}
