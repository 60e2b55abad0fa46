package ostore.store.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ostore.crypto.BlockListHash;
import ostore.store.Predicate;
import ostore.store.StoredVersion;

/**
 * Evaluates predicates against an object's latest version, exactly as {@code ostore.v1} defines
 * them: a missing object has seq 0, size 0 and no blocks, and no VGUID matches it. The caller has
 * already refused searches on encrypted objects. One evaluator serves one update: it reads the
 * object at most once per distinct needle however many search nodes name it, and not at all for a
 * needle longer than the object.
 */
final class PredicateEvaluator {
    private final Optional<StoredVersion> latest;
    private final BlockReader reader;
    private final Map<Predicate.Search, Boolean> searched = new HashMap<>();

    PredicateEvaluator(Optional<StoredVersion> latest, BlockReader reader) {
        this.latest = latest;
        this.reader = reader;
    }

    boolean holds(Predicate p) {
        return switch (p) {
            case Predicate.Always a -> true;
            case Predicate.CompareVersion cv -> cv.op().test(seq(), cv.seq());
            case Predicate.CompareSize cs -> cs.op().test(size(), cs.size());
            case Predicate.CompareVguid cv -> latest.map(v -> v.vguid().equals(cv.vguid())).orElse(false);
            case Predicate.CompareBlock cb -> blockIs(cb);
            case Predicate.Search s -> searched.computeIfAbsent(s, this::contains);
            case Predicate.And and -> and.operands().stream().allMatch(this::holds);
            case Predicate.Or or -> or.operands().stream().anyMatch(this::holds);
            case Predicate.Not not -> !holds(not.operand());
        };
    }

    /** True if {@code p} or any operand below it is a search. */
    static boolean searches(Predicate p) {
        return switch (p) {
            case Predicate.Search s -> true;
            case Predicate.And and -> and.operands().stream().anyMatch(PredicateEvaluator::searches);
            case Predicate.Or or -> or.operands().stream().anyMatch(PredicateEvaluator::searches);
            case Predicate.Not not -> searches(not.operand());
            default -> false;
        };
    }

    private long seq() {
        return latest.map(v -> v.root().seq()).orElse(0L);
    }

    private long size() {
        return latest.map(v -> v.root().size()).orElse(0L);
    }

    private List<BlockListHash.Entry> blocks() {
        return latest.map(StoredVersion::blocks).orElse(List.of());
    }

    private boolean blockIs(Predicate.CompareBlock cb) {
        List<BlockListHash.Entry> blocks = blocks();
        return cb.index() >= 0 && cb.index() < blocks.size()
                && blocks.get((int) cb.index()).bguid().equals(cb.bguid());
    }

    private boolean contains(Predicate.Search s) {
        if (s.length() > size()) {
            return false;
        }
        ByteSearch search = new ByteSearch(s.needle());
        for (BlockListHash.Entry e : blocks()) {
            if (search.found() || search.feed(reader.read(e.bguid()))) {
                return true;
            }
        }
        return search.found();
    }
}
