package ostore.store.engine;

import static ostore.store.testing.Updates.OWNER;
import static ostore.store.testing.Updates.always;
import static ostore.store.testing.Updates.create;
import static ostore.store.testing.Updates.text;
import static ostore.store.testing.Updates.update;
import static ostore.store.testing.Updates.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import ostore.crypto.Bguid;
import ostore.crypto.Vguid;
import ostore.store.Action;
import ostore.store.Comparison;
import ostore.store.Limits;
import ostore.store.Outcome.Rejection;
import ostore.store.Predicate;
import ostore.store.StoredVersion;
import ostore.store.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every predicate against a fixed object: seq 2, size 12, blocks "hell" "o wo" "rld!". Blocks
 * may hold 16 bytes, so a needle (at most a block) can span all three.
 */
class PredicateTableTest {
    private static final Limits SIXTEEN_BYTE_BLOCKS = new Limits(16, 1 << 20, 64, 64, 64, 1 << 20);
    private static final long SEQ = 2;
    private static final long SIZE = 12;

    private static EngineHarness object() {
        EngineHarness h = new EngineHarness(SIXTEEN_BYTE_BLOCKS);
        h.commit(create(1, always(new Action.InsertBlock(0, text("hell")), new Action.InsertBlock(1, text("o wo")))));
        h.commit(update(OWNER, 2, always(new Action.InsertBlock(2, text("rld!")))));
        return h;
    }

    /** True if the predicate holds on {@link #object()}, false if it aborts. */
    private static boolean holds(Predicate p) {
        Execution e = object().run(update(OWNER, 99, when(p, new Action.Append(text("x")))));
        return switch (e) {
            case Execution.Commit c -> true;
            case Execution.Abort a -> false;
            case Execution.Reject r -> throw new AssertionError("rejected: " + r);
        };
    }

    /** op, relation of actual to the operand (-1 below, 0 equal, 1 above), expected. */
    static Stream<Arguments> comparisons() {
        boolean[][] truth = {
            {false, true, false}, // EQ
            {true, false, true}, // NE
            {true, false, false}, // LT
            {true, true, false}, // LE
            {false, false, true}, // GT
            {false, true, true}, // GE
        };
        Comparison[] ops = {Comparison.EQ, Comparison.NE, Comparison.LT, Comparison.LE, Comparison.GT, Comparison.GE};
        List<Arguments> rows = new ArrayList<>();
        for (int o = 0; o < ops.length; o++) {
            for (int rel = -1; rel <= 1; rel++) {
                rows.add(Arguments.of(ops[o], rel, truth[o][rel + 1]));
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "seq {0} relation {1} -> {2}")
    @MethodSource("comparisons")
    void compareVersion(Comparison op, int actualRelation, boolean expected) {
        assertEquals(expected, holds(new Predicate.CompareVersion(op, SEQ - actualRelation)));
    }

    @ParameterizedTest(name = "size {0} relation {1} -> {2}")
    @MethodSource("comparisons")
    void compareSize(Comparison op, int actualRelation, boolean expected) {
        assertEquals(expected, holds(new Predicate.CompareSize(op, SIZE - actualRelation)));
    }

    @Test
    void comparisonsAreUnsigned() {
        assertEquals(true, holds(new Predicate.CompareVersion(Comparison.LT, -1)));
        assertEquals(false, holds(new Predicate.CompareSize(Comparison.GT, -1)));
    }

    @Test
    void compareVguidMatchesOnlyTheLatest() {
        EngineHarness h = object();
        Vguid latest = h.latest().orElseThrow().vguid();
        assertEquals(true, holds(new Predicate.CompareVguid(latest)));
        Vguid predecessor = h.latest().orElseThrow().root().predecessor().orElseThrow();
        assertEquals(false, holds(new Predicate.CompareVguid(predecessor)));
    }

    @Test
    void compareBlockMatchMismatchAndOutOfRange() {
        List<Bguid> names = object().blocks().stream().map(e -> e.bguid()).toList();
        assertEquals(true, holds(new Predicate.CompareBlock(0, names.get(0))));
        assertEquals(true, holds(new Predicate.CompareBlock(2, names.get(2))));
        assertEquals(false, holds(new Predicate.CompareBlock(1, names.get(0))));
        assertEquals(false, holds(new Predicate.CompareBlock(3, names.get(2))));
        assertEquals(false, holds(new Predicate.CompareBlock(Long.MAX_VALUE, names.get(2))));
    }

    static Stream<Arguments> searches() {
        return Stream.of(
                Arguments.of("hell", true),
                Arguments.of("lo w", true),
                Arguments.of("hello world!", true),
                Arguments.of("d!", true),
                Arguments.of("", true),
                Arguments.of("worlds", false),
                Arguments.of("hello world!!", false),
                Arguments.of("xyz", false));
    }

    @ParameterizedTest(name = "search \"{0}\" -> {1}")
    @MethodSource("searches")
    void search(String needle, boolean expected) {
        assertEquals(expected, holds(new Predicate.Search(needle.getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void searchFindsNeedleWithRepeatedPrefixAcrossBlocks() {
        EngineHarness h = new EngineHarness(new Limits(8, 1 << 20, 64, 64, 64, 1 << 20));
        h.commit(create(1, always(new Action.Append(text("aaabaaaab")))));
        Execution e = h.run(update(OWNER, 2, when(new Predicate.Search("aaaab".getBytes(StandardCharsets.US_ASCII)),
                new Action.Truncate(0))));
        assertInstanceOf(Execution.Commit.class, e);
    }

    @Test
    void searchOnAnEncryptedObjectIsRejected() {
        EngineHarness h = object();
        h.commit(update(OWNER, 3, always(new Action.SetAcl(List.of(), true))));
        Execution e = h.run(update(OWNER, 4, when(new Predicate.Not(new Predicate.Search(new byte[] {1})))));
        assertEquals(Rejection.ENCRYPTED_OBJECT, assertInstanceOf(Execution.Reject.class, e).rejected().reason());
    }

    static Stream<Arguments> combinators() {
        Predicate t = new Predicate.Always();
        Predicate f = new Predicate.Not(t);
        return Stream.of(
                Arguments.of("and()", new Predicate.And(List.of()), true),
                Arguments.of("or()", new Predicate.Or(List.of()), false),
                Arguments.of("and(t,t)", new Predicate.And(List.of(t, t)), true),
                Arguments.of("and(t,f)", new Predicate.And(List.of(t, f)), false),
                Arguments.of("or(f,f)", new Predicate.Or(List.of(f, f)), false),
                Arguments.of("or(f,t)", new Predicate.Or(List.of(f, t)), true),
                Arguments.of("not(not(t))", new Predicate.Not(f), true),
                Arguments.of("and(or(f,t),not(f))", new Predicate.And(List.of(new Predicate.Or(List.of(f, t)),
                        new Predicate.Not(f))), true),
                Arguments.of("or(and(t,f),not(t))", new Predicate.Or(List.of(new Predicate.And(List.of(t, f)), f)), false),
                Arguments.of("and(seq=2,size=12)", new Predicate.And(List.of(
                        new Predicate.CompareVersion(Comparison.EQ, SEQ),
                        new Predicate.CompareSize(Comparison.EQ, SIZE))), true));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("combinators")
    void combinator(String label, Predicate p, boolean expected) {
        assertEquals(expected, holds(p));
    }

    @Test
    void aMissingObjectHasSeqZeroSizeZeroAndNoBlocks() {
        Bguid any = Bguid.ofBlock(new byte[0]);
        assertEquals(true, createHolds(new Predicate.CompareVersion(Comparison.EQ, 0)));
        assertEquals(true, createHolds(new Predicate.CompareSize(Comparison.EQ, 0)));
        assertEquals(true, createHolds(new Predicate.Search(new byte[0])));
        assertEquals(false, createHolds(new Predicate.Search(new byte[] {0})));
        assertEquals(false, createHolds(new Predicate.CompareBlock(0, any)));
        assertEquals(false, createHolds(new Predicate.CompareVguid(object().latest().orElseThrow().vguid())));
    }

    /** On a missing object: true if the creating clause held; a miss is UNKNOWN_OBJECT. */
    private static boolean createHolds(Predicate p) {
        Execution e = new EngineHarness(SIXTEEN_BYTE_BLOCKS).run(create(1, when(p, new Action.Append(text("x")))));
        if (e instanceof Execution.Reject r) {
            assertEquals(Rejection.UNKNOWN_OBJECT, r.rejected().reason());
            return false;
        }
        StoredVersion v = assertInstanceOf(Execution.Commit.class, e).version();
        assertEquals(1, v.root().seq());
        return true;
    }

    @Test
    void theFirstHoldingClauseCommitsAndLaterOnesAreIgnored() {
        Predicate f = new Predicate.CompareVersion(Comparison.EQ, 7);
        Execution e = object().run(update(OWNER, 5,
                when(f, new Action.Truncate(0)),
                when(new Predicate.Always(), new Action.Append(text("A"))),
                when(new Predicate.Always(), new Action.Append(text("B")))));
        Execution.Commit c = assertInstanceOf(Execution.Commit.class, e);
        assertEquals(1, c.clauseIndex());
        assertEquals(SIZE + 1, c.version().root().size());
    }

    @Test
    void noHoldingClauseAbortsWithTheReason() {
        Execution e = object().run(update(OWNER, 5, when(new Predicate.CompareVersion(Comparison.GT, SEQ))));
        assertEquals(UpdateEngine.NO_CLAUSE_HOLDS, assertInstanceOf(Execution.Abort.class, e).reason());
    }
}
