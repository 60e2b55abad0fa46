package ostore.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import ostore.store.Outcome;
import ostore.store.VersionStore;
import ostore.store.rocks.RocksVersionStore;
import ostore.store.testing.RandomUpdates;
import ostore.store.testing.RandomUpdates.Op;
import ostore.store.testing.RandomUpdates.Step;
import ostore.store.testing.StoreSnapshot;
import ostore.store.testing.TempDirs;

/**
 * The memory store is what the ring's simulator trusts in place of RocksDB, so the two must not
 * differ in anything observable; and a memory store that crashed and replayed its log must end
 * where one that never crashed does.
 */
class MemoryMatchesRocksPropertiesTest {
    @Provide
    Arbitrary<Op> ops() {
        return RandomUpdates.ops();
    }

    @Property(tries = 60)
    void memoryAndRocksGiveEqualOutcomesAndState(@ForAll @Size(min = 4, max = 30) List<@From("ops") Op> ops) {
        List<Step> steps = RandomUpdates.toUpdates(ops);
        withRocks(rocks -> {
            try (MemoryVersionStore memory = new MemoryVersionStore(RandomUpdates.LIMITS)) {
                for (int i = 0; i < steps.size(); i++) {
                    Step step = steps.get(i);
                    assertEquals(rocks.precheck(step.update()), memory.precheck(step.update()), "precheck " + i);
                    Outcome expected = apply(rocks, step);
                    assertEquals(expected, apply(memory, step), "outcome " + i);
                    certifyCommit(expected, i, rocks, memory);
                    Statistics.collect(kind(expected));
                }
                assertEquals(StoreSnapshot.of(rocks, RandomUpdates.OBJECTS), StoreSnapshot.of(memory, RandomUpdates.OBJECTS));
                for (int color = 0; color < VersionStore.MAX_COLORS; color++) {
                    assertEquals(rocks.storeDigest(color), memory.storeDigest(color), "store digest of color " + color);
                }
            }
        });
        Statistics.coverage(coverage -> {
            for (String kind : List.of("Committed", "Aborted", "UNKNOWN_OBJECT", "NOT_A_WRITER", "NOT_THE_OWNER",
                    "INVALID_ACTION", "ENCRYPTED_OBJECT", "NONCE_REUSED", "LIMIT_EXCEEDED")) {
                coverage.check(kind).count(n -> n > 0);
            }
        });
    }

    /** The generator must keep reaching every outcome, or agreement proves little. */
    private static String kind(Outcome o) {
        return o instanceof Outcome.Rejected r ? r.reason().name() : o.getClass().getSimpleName();
    }

    /**
     * Syncs after {@code synced} updates, applies up to {@code crashAt} more, crashes, then
     * replays each color from the crashed store's applied position of that color, as the
     * color's log would.
     */
    @Property(tries = 60)
    void aCrashAndReplayEndsWhereNoCrashDoes(@ForAll @Size(min = 4, max = 30) List<@From("ops") Op> ops,
            @ForAll @IntRange(min = 0, max = 30) int synced, @ForAll @IntRange(min = 0, max = 30) int crashAt) {
        List<Step> steps = RandomUpdates.toUpdates(ops);
        int syncPoint = Math.min(synced, steps.size());
        int crashPoint = Math.max(syncPoint, Math.min(crashAt, steps.size()));
        MemoryVersionStore reference = new MemoryVersionStore(RandomUpdates.LIMITS);
        List<Outcome> outcomes = applyAll(reference, steps, 0, steps.size());

        MemoryVersionStore crashing = new MemoryVersionStore(RandomUpdates.LIMITS);
        applyAll(crashing, steps, 0, syncPoint);
        crashing.sync();
        StoreSnapshot durable = StoreSnapshot.of(crashing, RandomUpdates.OBJECTS);
        applyAll(crashing, steps, syncPoint, crashPoint);
        MemoryVersionStore recovered = crashing.crashed();
        assertEquals(durable, StoreSnapshot.of(recovered, RandomUpdates.OBJECTS), "a crash keeps the synced state");

        List<Integer> replayed = IntStream.range(0, steps.size()).boxed()
                .filter(i -> steps.get(i).position() > recovered.appliedPosition(steps.get(i).color())).toList();
        assertEquals(IntStream.range(syncPoint, steps.size()).boxed().toList(), replayed,
                "each color resumes right after its last synced update");
        assertEquals(outcomes.subList(syncPoint, steps.size()), applyAll(recovered, steps, syncPoint, steps.size()));
        assertEquals(StoreSnapshot.of(reference, RandomUpdates.OBJECTS), StoreSnapshot.of(recovered, RandomUpdates.OBJECTS));
        for (int color = 0; color < VersionStore.MAX_COLORS; color++) {
            assertEquals(reference.storeDigest(color), recovered.storeDigest(color), "store digest of color " + color);
        }
    }

    /** Every commit is certified, so certificates are compared too. */
    private static List<Outcome> applyAll(VersionStore store, List<Step> steps, int from, int to) {
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Outcome o = apply(store, steps.get(i));
            certifyCommit(o, i, store);
            outcomes.add(o);
        }
        return outcomes;
    }

    private static Outcome apply(VersionStore store, Step step) {
        return store.apply(step.update(), step.timestampMicros(), step.color(), step.position());
    }

    /** Attaches a certificate naming {@code position} to the version a commit made, in every store. */
    private static void certifyCommit(Outcome o, int position, VersionStore... stores) {
        if (o instanceof Outcome.Committed c) {
            byte[] certificate = ByteBuffer.allocate(4).putInt(position).array();
            for (VersionStore s : stores) {
                s.attachCertificate(c.version().root().aguid(), c.version().root().seq(), certificate);
            }
        }
    }

    private static void withRocks(Consumer<RocksVersionStore> body) {
        TempDirs.withTempDir("ostore-cross-check", dir -> {
            try (RocksVersionStore store = RocksVersionStore.open(dir, RandomUpdates.LIMITS)) {
                body.accept(store);
            }
        });
    }
}
