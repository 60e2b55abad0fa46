package ostore.store.engine;

import static ostore.store.testing.Updates.always;
import static ostore.store.testing.Updates.create;
import static ostore.store.testing.Updates.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ostore.crypto.Bguid;
import ostore.store.Action;
import ostore.store.Limits;
import ostore.store.Predicate;
import ostore.store.testing.EngineHarness;
import org.junit.jupiter.api.Test;

/** What a search costs: the object is read once per distinct needle, and never for a needle longer than it. */
class SearchCostTest {
    private static final Limits LIMITS = new Limits(4, 1 << 20, 64, 64, 64, 1 << 20);

    private final EngineHarness object = objectOfThreeBlocks();
    private final List<Bguid> reads = new ArrayList<>();
    private final PredicateEvaluator evaluator = new PredicateEvaluator(object.latest(), bguid -> {
        reads.add(bguid);
        return object.read(bguid);
    });

    private static EngineHarness objectOfThreeBlocks() {
        EngineHarness h = new EngineHarness(LIMITS);
        h.commit(create(1, always(new Action.Append(text("hello world!")))));
        assertEquals(3, h.blocks().size());
        return h;
    }

    private static Predicate.Search search(String needle) {
        return new Predicate.Search(needle.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void eachDistinctNeedleScansTheObjectAtMostOnce() {
        Predicate repeated = new Predicate.And(List.of(search("zzz"), new Predicate.Not(search("zzz")),
                new Predicate.Or(List.of(search("zzz"), search("zzz")))));
        assertEquals(false, evaluator.holds(repeated));
        assertEquals(false, evaluator.holds(search("zzz")), "a later clause of the same update reuses the answer");
        assertEquals(3, reads.size(), "one full scan for four search nodes and a second clause");
        assertEquals(true, evaluator.holds(search("ld!")));
        assertEquals(6, reads.size(), "another needle scans again");
    }

    @Test
    void aNeedleLongerThanTheObjectIsNotSearched() {
        assertEquals(false, evaluator.holds(search("hello world!?")));
        assertEquals(List.of(), reads);
        assertEquals(true, evaluator.holds(search("hello world!")));
    }

    @Test
    void aMissingObjectHoldsOnlyTheEmptyNeedle() {
        PredicateEvaluator none = new PredicateEvaluator(Optional.empty(), bguid -> {
            throw new AssertionError("a missing object has no blocks to read");
        });
        assertEquals(true, none.holds(search("")));
        assertEquals(false, none.holds(search("a")));
    }

    @Test
    void lengthIsTheNeedlesLength() {
        assertEquals(3, search("abc").length());
        assertEquals(0, search("").length());
    }
}
