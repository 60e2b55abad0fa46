package ostore.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import ostore.crypto.Hash32;
import ostore.node.storage.StorageRouting;
import ostore.routing.filter.AttenuatedFilter;
import ostore.routing.filter.FilterParams;
import ostore.routing.filter.GuidFilter;
import ostore.routing.locate.RoutingParams;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bloom filter lookups as a storage node's locate step makes them: a GUID against one node's
 * filter, and against an attenuated filter of the nodes' depth (a neighbour's view, levels 0 to
 * d - 1). Filters take the shape storage nodes use ({@link StorageRouting#params()}: 16,384 GUIDs
 * at 1% false positives), filled to that capacity, so the bits probed spread over the whole array
 * as they do in a node that holds its share. Each call looks up the next of 1,024 GUIDs, so the
 * JIT cannot fold a constant lookup and the probed words are not always the same cache lines.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class BloomBenchmark {
    private static final int PROBES = 1024;
    private static final int MASK = PROBES - 1;

    private GuidFilter own;
    private AttenuatedFilter attenuated;
    /** GUIDs put in {@link #own}. */
    private Hash32[] present;
    /** GUIDs put in no filter (each still hits about 1% of the time: a false positive). */
    private Hash32[] absent;
    /** GUIDs put only in the attenuated filter's deepest level: a hit after consulting every level. */
    private Hash32[] deepest;
    private int next;

    @Setup
    public void setUp() {
        RoutingParams params = StorageRouting.params();
        FilterParams shape = params.filter();
        int capacity = StorageRouting.EXPECTED_GUIDS_PER_FILTER;
        SplittableRandom random = new SplittableRandom(0xb100);
        List<Hash32> inventory = guids(random, capacity);
        own = GuidFilter.of(shape, inventory);
        present = inventory.subList(0, PROBES).toArray(Hash32[]::new);
        absent = guids(random, PROBES).toArray(Hash32[]::new);
        List<GuidFilter> levels = new ArrayList<>();
        List<Hash32> deepestLevel = List.of();
        for (int level = 0; level < params.depth(); level++) {
            deepestLevel = guids(random, capacity);
            levels.add(GuidFilter.of(shape, deepestLevel));
        }
        attenuated = new AttenuatedFilter(levels);
        deepest = deepestLevel.subList(0, PROBES).toArray(Hash32[]::new);
        // A benchmark of a lookup that answers wrongly would measure the wrong thing; refuse to start.
        for (int i = 0; i < PROBES; i++) {
            if (!own.mightContain(present[i]) || attenuated.firstLevelContaining(deepest[i]) < 0) {
                throw new IllegalStateException("a Bloom filter lost a GUID put in it: " + present[i] + " or "
                        + deepest[i]);
            }
        }
    }

    private static List<Hash32> guids(SplittableRandom random, int count) {
        List<Hash32> guids = new ArrayList<>(count);
        byte[] bytes = new byte[Hash32.LENGTH];
        for (int i = 0; i < count; i++) {
            random.nextBytes(bytes);
            guids.add(Hash32.of(bytes));
        }
        return guids;
    }

    /** One filter, a GUID it holds: every probed bit is set, so all hash functions run. */
    @Benchmark
    public boolean mightContainPresent() {
        return own.mightContain(present[next++ & MASK]);
    }

    /** One filter, a GUID it does not hold: the lookup usually stops at the first clear bit. */
    @Benchmark
    public boolean mightContainAbsent() {
        return own.mightContain(absent[next++ & MASK]);
    }

    /** Depth 3, a GUID in no level: every level consulted (a locate step's miss through a neighbour). */
    @Benchmark
    public int attenuatedMiss() {
        return attenuated.firstLevelContaining(absent[next++ & MASK]);
    }

    /** Depth 3, a GUID only in the deepest level: every level consulted, the last one hits. */
    @Benchmark
    public int attenuatedDeepestHit() {
        return attenuated.firstLevelContaining(deepest[next++ & MASK]);
    }
}
