package ostore.archive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Certificate;
import ostore.crypto.Domain;
import ostore.crypto.Hashing;
import ostore.crypto.MerkleProof;
import ostore.crypto.PublicKey;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultStatement;
import ostore.crypto.SigningKey;
import ostore.crypto.VersionRoot;

/**
 * Test versions with real roots and real ring certificates: a 4-replica ring (f = 1) of seeded
 * keys signs each version, exactly as the inner ring's certificate format has it.
 */
public final class Versions {
    public static final int F = 1;
    public static final List<SigningKey> RING = List.of(key(0x10), key(0x30), key(0x50), key(0x70));
    public static final SigningKey OWNER = key(0x90);
    public static final Aguid AGUID = Aguid.of(OWNER.publicKey(), "archive/test");

    private Versions() {}

    /** One version: its root, block list, block bytes by BGUID and certificate. */
    public record Version(VersionRoot root, List<BlockListHash.Entry> entries, Map<Bguid, byte[]> bytes,
            List<byte[]> blocks, byte[] certificate) {
        public BlockSource source() {
            return (bguid, length) -> bytes.get(bguid).clone();
        }

        /** The version's bytes, concatenated. */
        public byte[] content() {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            blocks.forEach(out::writeBytes);
            return out.toByteArray();
        }
    }

    public static List<PublicKey> ringKeys() {
        return RING.stream().map(SigningKey::publicKey).toList();
    }

    public static CertificateChecker checker() {
        return new RingCertificateChecker(ringKeys(), F);
    }

    /** {@code size} random bytes (seeded) cut into blocks of {@code blockSize}. */
    public static List<byte[]> randomBlocks(long seed, long size, int blockSize) {
        Random random = new Random(seed);
        List<byte[]> blocks = new ArrayList<>();
        for (long at = 0; at < size; at += blockSize) {
            byte[] b = new byte[(int) Math.min(blockSize, size - at)];
            random.nextBytes(b);
            blocks.add(b);
        }
        return blocks;
    }

    public static Version first(List<byte[]> blocks) {
        return version(1, Optional.empty(), blocks);
    }

    public static Version next(Version previous, List<byte[]> blocks) {
        return version(previous.root().seq() + 1, Optional.of(previous.root().vguid()), blocks);
    }

    public static Version version(long seq, Optional<ostore.crypto.Vguid> predecessor, List<byte[]> blocks) {
        List<BlockListHash.Entry> entries = new ArrayList<>();
        Map<Bguid, byte[]> bytes = new LinkedHashMap<>();
        long size = 0;
        for (byte[] b : blocks) {
            Bguid g = Bguid.ofBlock(b);
            entries.add(new BlockListHash.Entry(g, b.length));
            bytes.put(g, b);
            size += b.length;
        }
        VersionRoot root = new VersionRoot(AGUID, seq, predecessor, size, blocks.size(), BlockListHash.root(entries),
                1_800_000_000_000_000L + seq, Acl.ownerOnly(OWNER.publicKey()),
                Hashing.hash(Domain.UPDATE, ("update-" + seq).getBytes()));
        return new Version(root, entries, bytes, List.copyOf(blocks), certificate(root, 3));
    }

    /** A certificate signed by the first {@code signers} replicas for the root's commit. */
    public static byte[] certificate(VersionRoot root, int signers) {
        return certificate(root, java.util.stream.IntStream.range(0, signers).toArray());
    }

    /** A certificate for the root's commit signed by the replicas {@code signers}, ascending. */
    public static byte[] certificate(VersionRoot root, int... signers) {
        ResultLeaf leaf = new ResultLeaf(root.updateDigest(), ResultLeaf.COMMITTED, 0, root.aguid(), root.seq(),
                root.vguid().hash(), root.timestampMicros());
        List<ostore.crypto.Hash32> leaves = List.of(leaf.hash());
        ResultStatement statement = new ResultStatement(0, 0, root.seq(), MerkleProof.root(leaves));
        List<Certificate.Signature> signatures = new ArrayList<>();
        for (int i : signers) {
            signatures.add(new Certificate.Signature(i, RING.get(i).sign(Domain.RING_MESSAGE, statement.signedBytes(i))));
        }
        return new Certificate(statement, leaf, MerkleProof.of(leaves, 0), signatures).encode();
    }

    private static SigningKey key(int first) {
        byte[] seed = new byte[SigningKey.SEED_LENGTH];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) (first + i);
        }
        return SigningKey.fromSeed(seed);
    }
}
