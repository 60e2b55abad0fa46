package ostore.ring.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full store never fails an append for want of room ({@link GroupCommitter}): the append and
 * every later one wait, in order, and go on once a trim or the disk gives room back. Run on a real
 * llpl pool that fills, and on a segment log on a real file system that fills (a small tmpfs,
 * mounted for the test where the machine lets it).
 */
class FullLogTest {
    /** A safety net against hangs, never a measure of speed. */
    private static final long TIMEOUT_SECONDS = 60;
    private static final int RECORD = 256 << 10;

    @TempDir
    Path dir;

    /** Records of {@link #RECORD} bytes, each filled with its number, appended to {@code color} until the store refuses one. */
    private static List<CompletableFuture<Long>> fill(LocalSharedLog log, int color) throws InterruptedException {
        List<CompletableFuture<Long>> appends = new ArrayList<>();
        for (int i = 0; log.waitingForRoom().isEmpty(); i++) {
            assertTrue(i < 10_000, "the store never filled");
            CompletableFuture<Long> f = log.appendAsync(color, List.of(record(i)));
            appends.add(f);
            while (!f.isDone() && log.waitingForRoom().isEmpty()) {
                Thread.sleep(1);
            }
        }
        return appends;
    }

    private static byte[] record(int i) {
        byte[] r = new byte[RECORD];
        java.util.Arrays.fill(r, (byte) i);
        return r;
    }

    private static void waitUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(5);
        }
    }

    /**
     * Fills {@code log} in color 0, checks that the refused append and a later one of another
     * color wait, trims color 0, and checks that both then land, in order, readable.
     */
    private static void appendsWaitForATrimInOrder(LocalSharedLog log) throws Exception {
        List<CompletableFuture<Long>> appends = fill(log, 0);
        CompletableFuture<Long> held = appends.getLast();
        assertFalse(held.isDone(), "the append the store refused waits");
        assertTrue(log.waitingForRoom().orElseThrow().contains("full"), log.waitingForRoom().orElseThrow());
        CompletableFuture<Long> behind = log.appendAsync(1, List.of(new byte[] {42}));
        assertFalse(behind.isDone(), "a later append waits behind it, whatever its color");

        long trimTo = appends.get(appends.size() - 2).get(TIMEOUT_SECONDS, TimeUnit.SECONDS) + 1;
        log.trim(0, trimTo);

        assertEquals(trimTo, held.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the held append takes the position it was queued for");
        assertEquals(0L, behind.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertTrue(log.waitingForRoom().isEmpty());
        assertArrayEquals(record(appends.size() - 1), log.read(0, trimTo, 1).getFirst().payload());
        assertArrayEquals(new byte[] {42}, log.read(1, 0, 1).getFirst().payload());
    }

    @Test
    void aFullLlplPoolKeepsAppendsUntilATrimFreesAnExtent() throws Exception {
        LlplRequirement.assumeLlpl();
        // 16 MiB: 4 MiB of extents, each 512 KiB.
        LogStoreConfig config = new LogStoreConfig(4, 1 << 20, 16L << 20, 512 << 10);
        try (LocalSharedLog log = LocalSharedLog.over(LlplLogStore.open(dir.resolve("pool"), config))) {
            appendsWaitForATrimInOrder(log);
        }
    }

    @Test
    void aLogClosedWhileFullFailsWhatWaitsAndSaysWhy() throws Exception {
        LlplRequirement.assumeLlpl();
        LogStoreConfig config = new LogStoreConfig(4, 1 << 20, 16L << 20, 512 << 10);
        LocalSharedLog log = LocalSharedLog.over(LlplLogStore.open(dir.resolve("pool"), config));
        CompletableFuture<Long> held = fill(log, 0).getLast();
        CompletableFuture<Long> behind = log.appendAsync(0, List.of(new byte[] {1}));
        log.close();
        for (CompletableFuture<Long> f : List.of(held, behind)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("closed while full"), e.getCause().getMessage());
        }
    }

    /**
     * A segment log on a 4 MiB tmpfs: the disk fills (ENOSPC), the append waits, and once a file
     * outside the log is deleted (space back from outside, as an operator would free it) it goes on
     * by itself within a retry, without a trim.
     */
    @Test
    void aSegmentLogOnAFullDiskGoesOnOnceTheDiskHasRoomAgain() throws Exception {
        Path mount = dir.resolve("small-disk");
        Files.createDirectories(mount);
        Assumptions.assumeTrue(mountTmpfs(mount), "needs root to mount a small tmpfs");
        try {
            Path ballast = mount.resolve("ballast");
            Files.write(ballast, new byte[1 << 20]);
            LogStoreConfig config = new LogStoreConfig(4, 1 << 20, 16L << 20, 1 << 20);
            try (LocalSharedLog log = LocalSharedLog.over(SegmentLogStore.open(mount.resolve("log"), config))) {
                List<CompletableFuture<Long>> appends = fill(log, 0);
                CompletableFuture<Long> held = appends.getLast();
                assertTrue(log.waitingForRoom().orElseThrow().contains("no room on its disk"),
                        log.waitingForRoom().orElseThrow());
                assertFalse(held.isDone());
                Files.delete(ballast);
                assertEquals(appends.size() - 1, held.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                waitUntil(() -> log.waitingForRoom().isEmpty());
                assertArrayEquals(record(appends.size() - 1), log.read(0, appends.size() - 1, 1).getFirst().payload());
            }
            // What a crash-free reopen finds: every record, none torn by the failed writes.
            try (LocalSharedLog log = LocalSharedLog.over(SegmentLogStore.open(mount.resolve("log"), config))) {
                long next = log.nextPosition(0);
                for (long p = 0; p < next; p++) {
                    assertArrayEquals(record((int) p), log.read(0, p, 1).getFirst().payload());
                }
            }
        } finally {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
        }
    }

    private static boolean mountTmpfs(Path at) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "ostore-full-log-test", at.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
