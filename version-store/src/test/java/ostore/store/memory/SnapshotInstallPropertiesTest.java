package ostore.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import ostore.store.Outcome;
import ostore.store.SnapshotPage;
import ostore.store.VersionStore;
import ostore.store.core.AbstractVersionStore;
import ostore.store.rocks.RocksVersionStore;
import ostore.store.testing.RandomUpdates;
import ostore.store.testing.RandomUpdates.Op;
import ostore.store.testing.RandomUpdates.Step;
import ostore.store.testing.StoreSnapshot;
import ostore.store.testing.TempDirs;

/**
 * A color rebuilt from another store's snapshot pages must be that color, observably: the same
 * reads, history, certificates and nonce answers, the same store digest, whichever store served and
 * whichever installed, and whatever stale state the installer held before. A page that breaks the store's
 * invariants is refused whole.
 */
class SnapshotInstallPropertiesTest {
    /** Far above every position the steps use, so the same updates can be applied again. */
    private static final long AGAIN = 1_000_000;

    @Provide
    Arbitrary<Op> ops() {
        return RandomUpdates.ops();
    }

    @Property(tries = 40)
    void rocksToMemoryReproducesEveryColor(@ForAll @Size(min = 4, max = 30) List<@From("ops") Op> ops,
            @ForAll @IntRange(min = 0, max = 30) int stale, @ForAll @IntRange(min = 1, max = 2000) int pageBytes) {
        List<Step> steps = RandomUpdates.toUpdates(ops);
        withRocks(source -> transferAndCompare(source, new MemoryVersionStore(RandomUpdates.LIMITS), steps,
                stale, pageBytes));
    }

    @Property(tries = 40)
    void memoryToRocksReproducesEveryColor(@ForAll @Size(min = 4, max = 30) List<@From("ops") Op> ops,
            @ForAll @IntRange(min = 0, max = 30) int stale, @ForAll @IntRange(min = 1, max = 2000) int pageBytes) {
        List<Step> steps = RandomUpdates.toUpdates(ops);
        withRocks(target -> transferAndCompare(new MemoryVersionStore(RandomUpdates.LIMITS), target, steps,
                stale, pageBytes));
    }

    /** The target applied the first {@code stale} steps itself, then every color is replaced by the source's. */
    private static void transferAndCompare(VersionStore source, VersionStore target, List<Step> steps, int stale,
            int pageBytes) {
        for (Step s : steps) {
            if (apply(source, s, 0) instanceof Outcome.Committed c) {
                source.attachCertificate(c.version().root().aguid(), c.version().root().seq(),
                        java.nio.ByteBuffer.allocate(8).putLong(s.position()).array());
            }
        }
        steps.subList(0, Math.min(stale, steps.size())).forEach(s -> apply(target, s, 0));
        for (int color = 0; color < 4; color++) {
            target.clearColor(color);
            assertTrue(target.installing(color));
            assertEquals(AbstractVersionStore.EMPTY_DIGEST, target.storeDigest(color));
            transfer(source, target, color, pageBytes);
            target.finishInstall(color);
            assertEquals(source.storeDigest(color), target.storeDigest(color), "store digest of color " + color);
        }
        assertEquals(StoreSnapshot.of(source, RandomUpdates.OBJECTS).objects(),
                StoreSnapshot.of(target, RandomUpdates.OBJECTS).objects());
        for (Step s : steps) {
            assertEquals(apply(source, s, AGAIN), apply(target, s, AGAIN), "every nonce is answered as before");
        }
        for (int color = 0; color < 4; color++) {
            assertEquals(source.storeDigest(color), target.storeDigest(color), "answers again change nothing");
        }
    }

    private static void transfer(VersionStore source, VersionStore target, int color, int pageBytes) {
        long after = -1;
        for (int pages = 0; pages < 1000; pages++) {
            SnapshotPage page = source.snapshot(color, after, Long.MAX_VALUE, pageBytes);
            target.install(color, page);
            // The ring checks each certificate before it attaches it; the store only carries them.
            page.certificates().forEach(c -> target.attachCertificate(c.aguid(), c.seq(), c.certificate()));
            after = page.lastPosition();
            if (page.complete()) {
                return;
            }
        }
        throw new AssertionError("a snapshot of color " + color + " did not end within 1000 pages");
    }

    @Property(tries = 30)
    void aPageThatBreaksOrderIsRefusedWhole(@ForAll @Size(min = 4, max = 30) List<@From("ops") Op> ops) {
        List<Step> steps = RandomUpdates.toUpdates(ops);
        MemoryVersionStore source = new MemoryVersionStore(RandomUpdates.LIMITS);
        steps.forEach(s -> apply(source, s, 0));
        int color = steps.getFirst().color();
        SnapshotPage all = source.snapshot(color, -1, Long.MAX_VALUE, Integer.MAX_VALUE);
        List<byte[]> reversed = new ArrayList<>(all.entries().reversed());
        MemoryVersionStore target = new MemoryVersionStore(RandomUpdates.LIMITS);
        target.clearColor(color);
        if (reversed.size() > 1) {
            assertThrows(IllegalArgumentException.class, () -> target.install(color,
                    new SnapshotPage(reversed, all.blocks(), List.of(), all.lastPosition(), true)));
        }
        assertThrows(IllegalArgumentException.class, () -> target.install(color,
                new SnapshotPage(all.entries(), List.of(), List.of(), all.lastPosition(), true)),
                "the first entry creates an object with blocks, which must be supplied");
        assertEquals(AbstractVersionStore.EMPTY_DIGEST, target.storeDigest(color), "a refused page writes nothing");
        assertEquals(-1, target.appliedPosition(color));
        target.install(color, all);
        target.finishInstall(color);
        assertEquals(source.storeDigest(color), target.storeDigest(color));
        assertNotEquals(AbstractVersionStore.EMPTY_DIGEST, target.storeDigest(color));
    }

    private static Outcome apply(VersionStore store, Step step, long shift) {
        return store.apply(step.update(), step.timestampMicros(), step.color(), step.position() + shift);
    }

    private static void withRocks(Consumer<RocksVersionStore> body) {
        TempDirs.withTempDir("ostore-snapshot", dir -> {
            try (RocksVersionStore store = RocksVersionStore.open(dir, RandomUpdates.LIMITS)) {
                body.accept(store);
            }
        });
    }
}
