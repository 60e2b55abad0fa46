package ostore.crypto;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;

/** Fixed inputs for golden tests: changing any value here changes every pinned constant. */
final class Fixtures {
    /** Seed bytes 00 01 02 ... 1f. */
    static final SigningKey OWNER = seeded(0x00);
    static final SigningKey WRITER_A = seeded(0x20);
    static final SigningKey WRITER_B = seeded(0x40);
    static final String NAME = "photos/2026";
    static final long TIMESTAMP_MICROS = 1_795_000_000_000_000L;

    private Fixtures() {}

    /** A key whose seed is the 32 consecutive byte values starting at {@code first}. */
    static SigningKey seeded(int first) {
        byte[] seed = new byte[SigningKey.SEED_LENGTH];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) (first + i);
        }
        return SigningKey.fromSeed(seed);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static Aguid aguid() {
        return Aguid.of(OWNER.publicKey(), NAME);
    }

    /** Entries for blocks "block-0", "block-1", ... with their byte lengths. */
    static List<BlockListHash.Entry> entries(int count) {
        return java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> ascii("block-" + i))
                .map(b -> new BlockListHash.Entry(Bguid.ofBlock(b), b.length))
                .toList();
    }

    /** The version that created the object: one block "hello", owner-only ACL. */
    static VersionRoot rootSeq1() {
        List<BlockListHash.Entry> blocks = List.of(new BlockListHash.Entry(Bguid.ofBlock(ascii("hello")), 5));
        return new VersionRoot(aguid(), 1, Optional.empty(), 5, 1, BlockListHash.root(blocks),
                TIMESTAMP_MICROS, Acl.ownerOnly(OWNER.publicKey()),
                Hashing.hash(Domain.UPDATE, ascii("update-1")));
    }

    /** Its successor: three blocks, two writers given out of order, encrypted. */
    static VersionRoot rootSeq2() {
        Acl acl = new Acl(OWNER.publicKey(), List.of(WRITER_B.publicKey(), WRITER_A.publicKey()), true);
        return new VersionRoot(aguid(), 2, Optional.of(rootSeq1().vguid()), 21, 3,
                BlockListHash.root(entries(3)), TIMESTAMP_MICROS + 1_000, acl,
                Hashing.hash(Domain.UPDATE, ascii("update-2")));
    }

    /** Returns the given bytes, repeated, instead of random ones: for pinning sealed output. */
    static SecureRandom fixedRandom(int fill) {
        return new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                java.util.Arrays.fill(bytes, (byte) fill);
            }
        };
    }
}
