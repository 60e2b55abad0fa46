package ostore.ring.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared log's behaviour, written once and run against every store. */
abstract class LogStoreContractTest {
    static final LogStoreConfig CONFIG = new LogStoreConfig(4, 64 * 1024, 16L << 20, 8 * 1024);
    /** A safety net against hangs, never a measure of speed. */
    static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    LocalSharedLog log;

    abstract LogStore openStore(Path dir, LogStoreConfig config);

    abstract String expectedKind();

    @BeforeEach
    void open() {
        log = LocalSharedLog.over(openStore(dir, CONFIG));
    }

    @AfterEach
    void close() {
        log.close();
    }

    void reopen() {
        log.close();
        log = LocalSharedLog.over(openStore(dir, CONFIG));
    }

    static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    static List<String> payloads(List<LogEntry> entries) {
        return entries.stream().map(e -> new String(e.payload(), UTF_8)).toList();
    }

    static List<Long> positions(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::position).toList();
    }

    @Test
    void onlyColorsWithRecordsInTheOldestUnitHoldIt() {
        byte[] big = new byte[(int) CONFIG.extentBytes()];
        log.append(0, List.of(bytes("old of 0")));
        log.append(1, List.of(bytes("old of 1")));
        // Past the first unit of space, so later records of both colors lie in newer units.
        for (int i = 0; i < 4; i++) {
            log.append(2, List.of(big));
        }
        log.append(0, List.of(bytes("new of 0")));
        log.append(1, List.of(bytes("new of 1")));
        log.trim(2, log.nextPosition(2));
        assertTrue(log.holdsOldest(0) && log.holdsOldest(1), "both colors' first records are in the oldest unit");
        log.trim(0, 1);
        assertFalse(log.holdsOldest(0), "color 0 trimmed past it");
        assertTrue(log.holdsOldest(1), "color 1 keeps it");
        assertFalse(log.holdsOldest(3), "a color with no records holds nothing");
    }

    @Test
    void appendedRecordsReadBackInOrderAtDensePositions() {
        assertEquals(0, log.append(0, List.of(bytes("a"), bytes("b"), bytes("c"))));
        assertEquals(3, log.append(0, List.of(bytes("d"))));
        List<LogEntry> all = log.read(0, 0, 100);
        assertEquals(List.of("a", "b", "c", "d"), payloads(all));
        assertEquals(List.of(0L, 1L, 2L, 3L), positions(all));
        assertEquals(List.of("b", "c"), payloads(log.read(0, 1, 2)));
        assertEquals(List.of(), log.read(0, 4, 10), "reading at the end gives nothing");
        assertEquals(expectedKind(), log.storeKind());
    }

    @Test
    void emptyRecordsAreValidPayloads() {
        log.append(1, List.of(new byte[0], bytes("x")));
        assertArrayEquals(new byte[0], log.read(1, 0, 1).getFirst().payload());
    }

    @Test
    void colorsHaveIndependentPositions() {
        assertEquals(0, log.append(1, List.of(bytes("1a"))));
        assertEquals(0, log.append(2, List.of(bytes("2a"), bytes("2b"))));
        assertEquals(1, log.append(1, List.of(bytes("1b"))));
        assertEquals(2, log.nextPosition(1));
        assertEquals(2, log.nextPosition(2));
        assertEquals(0, log.nextPosition(0));
        assertEquals(List.of("1a", "1b"), payloads(log.read(1, 0, 10)));
        assertEquals(List.of("2a", "2b"), payloads(log.read(2, 0, 10)));
        assertTrue(log.read(1, 0, 10).stream().allMatch(e -> e.color() == 1));
    }

    @Test
    void subscriptionDeliversThePastThenTheFuture() throws Exception {
        log.append(0, List.of(bytes("p0"), bytes("p1"), bytes("p2")));
        LinkedBlockingQueue<LogEntry> got = new LinkedBlockingQueue<>();
        try (Subscription s = log.subscribe(0, 1, got::add)) {
            log.append(0, List.of(bytes("f3")));
            log.append(3, List.of(bytes("other color")));
            log.append(0, List.of(bytes("f4")));
            List<LogEntry> received = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                LogEntry e = got.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertTrue(e != null, "entry " + i + " arrives");
                received.add(e);
            }
            assertEquals(List.of("p1", "p2", "f3", "f4"), payloads(received));
            assertEquals(List.of(1L, 2L, 3L, 4L), positions(received));
        }
    }

    @Test
    void closedSubscriptionCompletesAndStopsDelivering() throws Exception {
        LinkedBlockingQueue<LogEntry> got = new LinkedBlockingQueue<>();
        Subscription s = log.subscribe(0, 0, got::add);
        s.close();
        s.done().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        log.append(0, List.of(bytes("late")));
        assertTrue(got.isEmpty(), "nothing is delivered after close returned");
    }

    @Test
    void trimmedPositionsFailClearly() {
        log.append(0, List.of(bytes("0"), bytes("1"), bytes("2")));
        log.append(0, List.of(bytes("3"), bytes("4")));
        log.trim(0, 2);
        assertEquals(2, log.firstPosition(0));
        assertEquals(5, log.nextPosition(0));
        TrimmedPositionException e = assertThrows(TrimmedPositionException.class, () -> log.read(0, 1, 5));
        assertEquals(2, e.firstPosition());
        assertTrue(e.getMessage().contains("first readable position is 2"), e.getMessage());
        assertEquals(List.of("2", "3", "4"), payloads(log.read(0, 2, 10)));
        log.trim(0, 1);
        assertEquals(2, log.firstPosition(0), "trimming less is a no-op");
        assertThrows(TrimmedPositionException.class, () -> log.subscribe(0, 0, e2 -> {}));
        IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class, () -> log.trim(0, 6));
        assertTrue(beyond.getMessage().contains("upTo (6)"), beyond.getMessage());
    }

    @Test
    void subscriptionOvertakenByATrimFailsClearly() throws Exception {
        log.append(0, List.of(bytes("s0")));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> delivered = new ArrayList<>();
        Subscription s = log.subscribe(0, 0, e -> {
            delivered.add(new String(e.payload(), UTF_8));
            holding.countDown();
            awaitQuietly(release);
        });
        // The subscription has read position 0 and is inside the consumer; it will next ask for 1.
        awaitQuietly(holding);
        log.append(0, List.of(bytes("s1"), bytes("s2"), bytes("s3")));
        log.trim(0, 3);
        release.countDown();
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> s.done().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        TrimmedPositionException cause = assertInstanceOf(TrimmedPositionException.class, failed.getCause());
        assertEquals(1, cause.requested());
        assertEquals(3, cause.firstPosition());
        assertEquals("color 0 position 1 is trimmed; the first readable position is 3", cause.getMessage());
        assertEquals(List.of("s0"), delivered, "nothing past the gap is delivered");
        s.close();
    }

    @Test
    void trimEverythingThenAppendContinuesDensely() {
        log.append(2, List.of(bytes("a"), bytes("b")));
        log.trim(2, 2);
        assertEquals(List.of(), log.read(2, 2, 10));
        assertEquals(2, log.append(2, List.of(bytes("c"))));
        assertEquals(List.of("c"), payloads(log.read(2, 2, 10)));
    }

    @Test
    void reopenPreservesRecordsAndTrimPoints() {
        log.append(0, List.of(bytes("a0"), bytes("a1"), bytes("a2")));
        log.append(1, List.of(bytes("b0")));
        log.append(0, List.of(bytes("a3")));
        log.trim(0, 1);
        log.append(3, List.of(bytes("d0"), bytes("d1")));
        log.trim(3, 2);
        reopen();
        assertEquals(1, log.firstPosition(0));
        assertEquals(4, log.nextPosition(0));
        assertEquals(List.of("a1", "a2", "a3"), payloads(log.read(0, 1, 10)));
        assertEquals(List.of("b0"), payloads(log.read(1, 0, 10)));
        assertEquals(2, log.firstPosition(3));
        assertEquals(2, log.nextPosition(3));
        assertEquals(4, log.append(0, List.of(bytes("a4"))));
        assertEquals(2, log.append(3, List.of(bytes("d2"))));
        reopen();
        assertEquals(List.of("a1", "a2", "a3", "a4"), payloads(log.read(0, 1, 10)));
        assertEquals(List.of("d2"), payloads(log.read(3, 2, 10)));
    }

    @Test
    void concurrentAppendsAllAppearExactlyOnceInOneOrder() throws Exception {
        int threads = 8;
        int perThread = 60;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(CompletableFuture.runAsync(() -> {
                awaitQuietly(go);
                for (int i = 0; i < perThread; i++) {
                    log.append(0, List.of(bytes(id + "-" + i)));
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        go.countDown();
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<LogEntry> all = log.read(0, 0, threads * perThread + 1);
        assertEquals(threads * perThread, all.size());
        Set<String> seen = new HashSet<>(payloads(all));
        assertEquals(threads * perThread, seen.size(), "no record appears twice");
        for (int t = 0; t < threads; t++) {
            int last = -1;
            for (String p : payloads(all)) {
                if (p.startsWith(t + "-")) {
                    int i = Integer.parseInt(p.substring(p.indexOf('-') + 1));
                    assertEquals(last + 1, i, "each thread's appends keep their order");
                    last = i;
                }
            }
        }
        GroupCommitter.Stats stats = log.groupCommitStats();
        assertEquals(threads * perThread, stats.appends());
        assertEquals(stats.batches(), java.util.Arrays.stream(stats.batchSizeHistogram()).sum());
        assertTrue(stats.batches() <= stats.appends());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void badAppendsAreRejectedAndChangeNothing() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> log.append(0, List.of()));
        assertTrue(empty.getMessage().contains("must not be empty"), empty.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> log.append(0, List.of(bytes("ok"), new byte[CONFIG.maxRecordBytes() + 1])));
        assertTrue(big.getMessage().contains("maxRecordBytes (" + CONFIG.maxRecordBytes() + ")"), big.getMessage());
        IllegalArgumentException color = assertThrows(IllegalArgumentException.class,
                () -> log.append(4, List.of(bytes("x"))));
        assertTrue(color.getMessage().contains("color (4)"), color.getMessage());
        ExecutionException async = assertThrows(ExecutionException.class,
                () -> log.appendAsync(0, List.of(new byte[CONFIG.maxRecordBytes() + 1])).get());
        assertTrue(async.getCause() instanceof IllegalArgumentException);
        assertEquals(0, log.nextPosition(0));
        assertEquals(0, log.append(0, List.of(new byte[CONFIG.maxRecordBytes()])), "the limit itself is allowed");
    }

    @Test
    void readArgumentsAreChecked() {
        log.append(0, List.of(bytes("a")));
        assertThrows(IllegalArgumentException.class, () -> log.read(0, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> log.read(0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> log.read(-1, 0, 1));
    }

    @Test
    void manyBatchesSurviveReopen() throws TimeoutException, InterruptedException, ExecutionException {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            futures.add(log.appendAsync(i % 2, List.of(new byte[100 + i])));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        log.trim(0, 100);
        reopen();
        assertEquals(150, log.nextPosition(0));
        assertEquals(100, log.firstPosition(0));
        List<LogEntry> odd = log.read(1, 0, 1000);
        assertEquals(150, odd.size());
        for (int k = 0; k < odd.size(); k++) {
            assertEquals(100 + 2 * k + 1, odd.get(k).payload().length);
        }
    }
}
