package ostore.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

class VersionRootTest {
    private static final List<PublicKey> KEYS = List.of(
            Fixtures.OWNER.publicKey(), Fixtures.WRITER_A.publicKey(), Fixtures.WRITER_B.publicKey());
    private static final List<Hash32> HASHES = List.of(
            Hashing.hash(Domain.UPDATE, new byte[] {0}), Hashing.hash(Domain.UPDATE, new byte[] {1}));

    /** Random pairs: roots that differ in several fields at once still encode differently. */
    @Property(tries = 200)
    void encodingIsInjective(@ForAll("roots") VersionRoot a, @ForAll("roots") VersionRoot b) {
        assertEquals(a.equals(b), Arrays.equals(a.encode(), b.encode()), () -> a + " vs " + b);
    }

    /**
     * Neighbours: {@code b} is {@code a} with one field taken from {@code donor}. Field values
     * come from tiny sets, so the donor's value is often the same and both outcomes are covered.
     */
    @Property(tries = 300)
    void changingOneFieldChangesTheEncodingAndTheVguid(@ForAll("roots") VersionRoot a,
            @ForAll("roots") VersionRoot donor, @ForAll @IntRange(min = 0, max = 8) int field) {
        VersionRoot b = withField(a, donor, field);
        Statistics.label("same root").collect(a.equals(b));
        assertEquals(a.equals(b), Arrays.equals(a.encode(), b.encode()), () -> a + " vs " + b);
        assertEquals(a.equals(b), a.vguid().equals(b.vguid()));
        Statistics.label("same root").coverage(c -> {
            c.check(true).count(n -> n > 0);
            c.check(false).count(n -> n > 0);
        });
    }

    @Provide
    Arbitrary<VersionRoot> roots() {
        // aguid, predecessor, blocks root, update digest
        Arbitrary<List<Hash32>> hashes = Arbitraries.of(HASHES).list().ofSize(4);
        Arbitrary<Long> seq = Arbitraries.longs().between(1, 3);
        Arbitrary<Long> number = Arbitraries.of(0L, 1L, 255L, 256L, Long.MAX_VALUE);
        Arbitrary<Acl> acl = Combinators.combine(
                Arbitraries.of(KEYS), Arbitraries.of(KEYS).list().ofMaxSize(3), Arbitraries.of(true, false))
                .as(Acl::new);
        return Combinators.combine(hashes, seq, number, number, number, acl)
                .as((h, s, size, count, time, a) -> new VersionRoot(new Aguid(h.get(0)), s,
                        s > 1 ? Optional.of(new Vguid(h.get(1))) : Optional.empty(),
                        size, count, h.get(2), time, a, h.get(3)));
    }

    private static VersionRoot withField(VersionRoot a, VersionRoot d, int field) {
        boolean bothHavePredecessor = a.predecessor().isPresent() && d.predecessor().isPresent();
        return new VersionRoot(
                field == 0 ? d.aguid() : a.aguid(),
                field == 1 ? d.seq() : a.seq(),
                field == 1 || (field == 2 && bothHavePredecessor) ? d.predecessor() : a.predecessor(),
                field == 3 ? d.size() : a.size(),
                field == 4 ? d.blockCount() : a.blockCount(),
                field == 5 ? d.blocksRoot() : a.blocksRoot(),
                field == 6 ? d.timestampMicros() : a.timestampMicros(),
                field == 7 ? d.acl() : a.acl(),
                field == 8 ? d.updateDigest() : a.updateDigest());
    }

    @Test
    void encodingStartsWithTheFormatVersion() {
        assertEquals(VersionRoot.FORMAT_VERSION, Fixtures.rootSeq1().encode()[0]);
        assertArrayEquals(Fixtures.rootSeq2().encode(), Fixtures.rootSeq2().encode());
    }

    @Test
    void predecessorIsRequiredExactlyAfterTheFirstVersion() {
        VersionRoot one = Fixtures.rootSeq1();
        var missing = assertThrows(IllegalArgumentException.class, () -> new VersionRoot(one.aguid(), 2,
                Optional.empty(), 0, 0, one.blocksRoot(), 0, one.acl(), one.updateDigest()));
        assertTrue(missing.getMessage().contains("seq 2"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new VersionRoot(one.aguid(), 1,
                Optional.of(one.vguid()), 0, 0, one.blocksRoot(), 0, one.acl(), one.updateDigest()));
    }

    @Test
    void badNumbersAreNamed() {
        VersionRoot one = Fixtures.rootSeq1();
        var seq = assertThrows(IllegalArgumentException.class, () -> new VersionRoot(one.aguid(), 0,
                Optional.empty(), 0, 0, one.blocksRoot(), 0, one.acl(), one.updateDigest()));
        assertTrue(seq.getMessage().contains("seq (0)"), seq.getMessage());
        var size = assertThrows(IllegalArgumentException.class, () -> new VersionRoot(one.aguid(), 1,
                Optional.empty(), -5, 0, one.blocksRoot(), 0, one.acl(), one.updateDigest()));
        assertTrue(size.getMessage().contains("size (-5)"), size.getMessage());
    }
}
