package ostore.ring.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalSharedLog#trimAsync}: a replica's thread asks for a trim and goes on; the trim runs
 * on the log's thread (where it may wait for a group commit and its own sync), in order.
 */
@Timeout(60)
class LocalSharedLogTrimTest {
    @TempDir
    Path dir;

    /** A segment store whose trims wait until the test lets them go, or fail. */
    private static final class GatedStore implements LogStore {
        final SegmentLogStore store;
        final CountDownLatch open = new CountDownLatch(1);
        volatile boolean fail;

        GatedStore(Path dir) {
            store = SegmentLogStore.open(dir, LogStoreConfig.forPool(64L << 20));
        }

        @Override public String kind() { return store.kind(); }
        @Override public String description() { return store.description(); }
        @Override public LogStoreConfig config() { return store.config(); }
        @Override public long[] append(List<ColorBatch> batches) { return store.append(batches); }
        @Override public List<LogEntry> read(int color, long from, int maxRecords) { return store.read(color, from, maxRecords); }
        @Override public long firstPosition(int color) { return store.firstPosition(color); }
        @Override public long nextPosition(int color) { return store.nextPosition(color); }
        @Override public void close() { store.close(); }

        @Override
        public void trim(int color, long upTo) {
            try {
                open.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (fail) {
                throw new java.io.UncheckedIOException("trim failed", new java.io.IOException("the disk said no"));
            }
            store.trim(color, upTo);
        }
    }

    private static List<byte[]> records(int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> new byte[] {(byte) i}).toList();
    }

    @Test
    void aTrimReturnsAtOnceAndTakesEffectOnTheLogsThreadInOrder() throws Exception {
        GatedStore store = new GatedStore(dir);
        try (LocalSharedLog log = LocalSharedLog.over(store)) {
            log.append(0, records(10));
            CompletableFuture<Void> first = log.trimAsync(0, 4);
            CompletableFuture<Void> second = log.trimAsync(0, 7);
            assertFalse(first.isDone(), "the caller did not wait for the trim");
            assertEquals(0, log.firstPosition(0), "nothing trimmed yet");
            store.open.countDown();
            second.get(30, TimeUnit.SECONDS);
            assertTrue(first.isDone(), "trims finish in the order asked for");
            assertEquals(7, log.firstPosition(0));
            assertEquals(3, log.read(0, 7, 100).size(), "records at and above the trim point stay");
            ExecutionException badColor = assertThrows(ExecutionException.class,
                    () -> log.trimAsync(log.colors(), 1).get(30, TimeUnit.SECONDS), "a bad color fails the future");
            assertInstanceOf(IllegalArgumentException.class, badColor.getCause());
        }
    }

    @Test
    void aFailedTrimFailsItsFuture() {
        GatedStore store = new GatedStore(dir);
        store.fail = true;
        store.open.countDown();
        try (LocalSharedLog log = LocalSharedLog.over(store)) {
            log.append(0, records(3));
            ExecutionException e = assertThrows(ExecutionException.class, () -> log.trimAsync(0, 2).get(30, TimeUnit.SECONDS));
            assertInstanceOf(java.io.UncheckedIOException.class, e.getCause());
            assertEquals(0, log.firstPosition(0));
        }
    }

    @Test
    void closeRunsTheTrimsAskedForFirstAndLaterOnesFail() throws Exception {
        GatedStore store = new GatedStore(dir);
        LocalSharedLog log = LocalSharedLog.over(store);
        log.append(0, records(5));
        CompletableFuture<Void> queued = log.trimAsync(0, 3);
        store.open.countDown();
        log.close();
        assertTrue(queued.isDone() && !queued.isCompletedExceptionally(), "the trim ran before the store closed");
        assertTrue(log.trimAsync(0, 4).isCompletedExceptionally(), "a closed log trims nothing");
    }
}
