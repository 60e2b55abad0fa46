package ostore.ring.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that is appending to a log store with SIGKILL, reopens the store, and checks the
 * atomicity and durability promises of {@link LogStore#append}: every acknowledged call is there
 * byte for byte, at most the one call in flight is there in addition and then in full (across all
 * its colors), and no record anywhere is torn. Each round starts a child on what the previous round
 * recovered and kills it just after its {@value #ACKNOWLEDGED_CALLS_PER_ROUND}th acknowledgement,
 * wherever it then is: building the next call, inside a write, a flush, a segment roll or a trim.
 * A kill cannot drop what the page cache holds, so this checks atomicity and recovery, not that
 * {@code force} reached the disk. The timeouts only keep a hung child from hanging the build.
 *
 * <p>llpl runs one round: this JVM cannot unmap a pool once it opened it to check it, and holds its
 * lock, so no second child could open it.
 */
class CrashAtomicityTest {
    static final int SEGMENT_ROUNDS = 3;
    static final int ACKNOWLEDGED_CALLS_PER_ROUND = 100;
    static final int COLORS = CrashingAppender.CONFIG.colors();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void segmentStoreKeepsEveryAcknowledgedAppendAcrossSigkill() throws Exception {
        killAndCheck("segment", SEGMENT_ROUNDS);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void llplStoreKeepsEveryAcknowledgedAppendAcrossSigkill() throws Exception {
        LlplRequirement.assumeLlpl();
        killAndCheck("llpl", 1);
    }

    /** What the child acknowledged, checked against {@link CrashingAppender#plan} as it arrives. */
    private static final class Acknowledged {
        long calls;
        final long[] next = new long[COLORS];
        long trimmedTo;

        /** The store kept the call in flight, so the next run must go on after it. */
        void keptInFlight() {
            StringBuilder line = new StringBuilder("A ").append(calls);
            for (CrashingAppender.Planned p : CrashingAppender.plan(calls)) {
                line.append(' ').append(p.color()).append(' ').append(next[p.color()]);
            }
            accept(line.toString());
        }

        void accept(String line) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "A" -> call(f);
                case "T" -> trimmedTo = Long.parseLong(f[2]);
                default -> fail("unexpected line from the child: " + line);
            }
        }

        private void call(String[] f) {
            assertEquals(calls, Long.parseLong(f[1]), "calls are acknowledged in order, none skipped");
            List<CrashingAppender.Planned> plan = CrashingAppender.plan(calls);
            assertEquals(2 + 2 * plan.size(), f.length, () -> "acknowledgement of call " + calls);
            for (int b = 0; b < plan.size(); b++) {
                int color = Integer.parseInt(f[2 + 2 * b]);
                assertEquals(plan.get(b).color(), color);
                assertEquals(next[color], Long.parseLong(f[3 + 2 * b]), "positions follow on densely");
                next[color] += plan.get(b).count();
            }
            calls++;
        }

        /** Per color, how many records the call after the last acknowledged one adds. */
        long[] inFlight() {
            long[] extra = new long[COLORS];
            for (CrashingAppender.Planned p : CrashingAppender.plan(calls)) {
                extra[p.color()] += p.count();
            }
            return extra;
        }
    }

    private void killAndCheck(String kind, int rounds) throws IOException, InterruptedException {
        Path logDir = dir.resolve("log");
        Acknowledged acked = new Acknowledged();
        for (int round = 0; round < rounds; round++) {
            runAndKill(kind, logDir, acked, dir.resolve("child-" + round + ".stderr"));
            try (LogStore store = CrashingAppender.open(kind, logDir)) {
                checkRecovered(store, acked);
            }
        }
        try (LogStore store = CrashingAppender.open(kind, logDir)) {
            long at = store.nextPosition(0);
            byte[] after = CrashingAppender.payload(0, at);
            assertEquals(at, store.append(List.of(new ColorBatch(0, List.of(after))))[0], "appends go on after recovery");
            assertArrayEquals(after, store.read(0, at, 1).getFirst().payload());
        }
    }

    private static void runAndKill(String kind, Path logDir, Acknowledged acked, Path stderr)
            throws IOException, InterruptedException {
        long stopAt = acked.calls + ACKNOWLEDGED_CALLS_PER_ROUND;
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-ea", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), CrashingAppender.class.getName(), kind, logDir.toString(),
                Long.toString(acked.calls))
                .redirectError(stderr.toFile())
                .start();
        try (BufferedReader out = child.inputReader()) {
            while (acked.calls < stopAt) {
                String line = out.readLine();
                if (line == null) {
                    fail("the child ended before it was killed (exit " + child.waitFor() + "): "
                            + Files.readString(stderr));
                }
                acked.accept(line);
            }
            // Through the handle: Process.destroyForcibly would also close the pipe still holding
            // acknowledgements printed after the last line read.
            child.toHandle().destroyForcibly();
            child.waitFor();
            acceptCompleteLines(out, acked);
        } finally {
            child.destroyForcibly();
        }
    }

    /**
     * Takes the lines the child printed between the last one read and the kill: they were
     * acknowledged too. A last line the kill cut short was not, and is left out.
     */
    private static void acceptCompleteLines(BufferedReader out, Acknowledged acked) throws IOException {
        StringWriter rest = new StringWriter();
        out.transferTo(rest);
        String text = rest.toString();
        List<String> lines = Arrays.asList(text.split("\n", -1));
        for (String line : lines.subList(0, lines.size() - 1)) {
            acked.accept(line);
        }
    }

    /** Checks the store against what was acknowledged; counts a call in flight that it kept as acknowledged. */
    private static void checkRecovered(LogStore store, Acknowledged acked) {
        long[] surplus = new long[COLORS];
        for (int c = 0; c < COLORS; c++) {
            surplus[c] = store.nextPosition(c) - acked.next[c];
        }
        long[] inFlight = acked.inFlight();
        assertTrue(Arrays.equals(surplus, new long[COLORS]) || Arrays.equals(surplus, inFlight),
                "beyond the " + acked.calls + " acknowledged calls the log holds " + Arrays.toString(surplus)
                        + " records per color; only nothing or all of the call in flight " + Arrays.toString(inFlight)
                        + " may be there");
        boolean keptInFlight = !Arrays.equals(surplus, new long[COLORS]);
        for (int c = 0; c < COLORS; c++) {
            long first = store.firstPosition(c);
            if (c == CrashingAppender.TRIMMED_COLOR) {
                assertTrue(first >= acked.trimmedTo, "an acknowledged trim to " + acked.trimmedTo + " holds, first is " + first);
            } else {
                assertEquals(0, first, "color " + c + " was never trimmed");
            }
            checkEveryRecord(store, c, first);
        }
        if (keptInFlight) {
            acked.keptInFlight();
        }
    }

    private static void checkEveryRecord(LogStore store, int color, long first) {
        long next = store.nextPosition(color);
        for (long p = first; p < next; ) {
            List<LogEntry> entries = store.read(color, p, 64);
            assertTrue(!entries.isEmpty(), "color " + color + " reads from " + p + " below " + next);
            for (LogEntry e : entries) {
                assertEquals(p, e.position(), "positions are dense");
                assertArrayEquals(CrashingAppender.payload(color, p), e.payload(),
                        "color " + color + " position " + p + " holds exactly the bytes appended");
                p++;
            }
        }
    }
}
