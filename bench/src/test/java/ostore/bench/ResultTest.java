package ostore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one row every driver produces: its percentiles, rates and the line it travels in. */
class ResultTest {
    private static final long MS = 1_000_000;

    @Test
    void percentilesAreNearestRankOverEveryClient() {
        Result r = Result.of("etcd", "a", "txn", 4096, 2,
                List.of(new long[] {4 * MS, 1 * MS}, new long[] {3 * MS, 2 * MS}), 0, 2_000_000_000L, 8 * MS, null);
        assertEquals(4, r.ops());
        assertEquals(1.0, r.p5Ms());
        assertEquals(2.0, r.p50Ms());
        assertEquals(4.0, r.p95Ms());
        assertEquals(4.0, r.p99Ms());
        assertEquals(4.0, r.maxMs());
        assertEquals(2.0, r.opsPerSecond());
        assertEquals(2.0, r.cpuMsPerOp());
        assertEquals(0.0, r.abortRate());
    }

    @Test
    void nearestRankOnAHundredSamplesPicksTheRankedSample() {
        long[] sorted = new long[100];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = (i + 1) * MS;
        }
        assertEquals(5.0, Result.percentileMs(sorted, 0.05));
        assertEquals(50.0, Result.percentileMs(sorted, 0.50));
        assertEquals(99.0, Result.percentileMs(sorted, 0.99));
        assertEquals(100.0, Result.percentileMs(sorted, 0.999));
        assertEquals(1.0, Result.percentileMs(new long[] {MS}, 0.05));
        assertThrows(IllegalArgumentException.class, () -> Result.percentileMs(new long[0], 0.5));
    }

    @Test
    void abortsCountAsOperationsButNotAsCommits() {
        Result r = Result.of("ostore", "b", "replace", 4096, 4, List.of(new long[] {MS, MS, MS, MS}), 1,
                1_000_000_000L, -1, null);
        assertEquals(4.0, r.opsPerSecond());
        assertEquals(3.0, r.commitsPerSecond());
        assertEquals(0.25, r.abortRate());
        assertTrue(Double.isNaN(r.cpuMsPerOp()));
        assertEquals(3 * 4096 / 1e6, r.megabytesPerSecond(), 1e-12);
    }

    @Test
    void aLineParsesBackToTheSameRowWithAndWithoutGcPauses() {
        Result plain = Result.of("etcd", "c-old", "get", 4096, 3, List.of(new long[] {MS, 7 * MS}), 0, 3 * MS, -1,
                null);
        assertEquals(plain, Result.parse(plain.toLine()));
        assertNull(Result.parse(plain.toLine()).gc());
        GcPauses.Summary gc = GcPauses.Summary.of("ZGC (generational)", new long[] {20_000, 10_000, 30_000});
        Result withGc = new Result("ostore", "a", "replace", 4096, 1, 10, 0, 1, 2, 3, 4, 5, 1.5, 0.25, gc);
        assertTrue(withGc.toLine().startsWith("result system=ostore workload=a "), withGc.toLine());
        assertEquals(withGc, Result.parse(withGc.toLine()));
    }

    @Test
    void malformedLinesAreRefusedNamingTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Result.parse("| a | b |")).getMessage()
                .contains("not a result line"));
        String line = Result.of("etcd", "a", "txn", 1, 1, List.of(new long[] {MS}), 0, MS, -1, null).toLine();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Result.parse(line.replace(" ops=1", "")))
                .getMessage().contains("'ops'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Result.parse(line.replace("ops=1", "ops=x")))
                .getMessage().contains("does not parse"));
        assertThrows(IllegalArgumentException.class,
                () -> Result.of("etcd", "b", "txn", 1, 1, List.of(new long[] {MS}), 2, MS, -1, null));
    }

    @Test
    void gcSummaryOfNoPausesIsZeroAndOfSomeIsRanked() {
        GcPauses.Summary none = GcPauses.Summary.of("G1", new long[0]);
        assertEquals(0, none.pauses());
        assertEquals(0.0, none.p999Ms());
        assertEquals(0.0, none.maxMs());
        GcPauses.Summary s = GcPauses.Summary.of("G1", new long[] {3 * MS, MS, 2 * MS});
        assertEquals(3, s.pauses());
        assertEquals(2.0, s.p50Ms());
        assertEquals(3.0, s.p999Ms());
        assertEquals(6.0, s.totalMs());
        GcPauses.Summary pooled = GcPauses.Summary.pool(List.of(s, GcPauses.Summary.of("G1", new long[] {4 * MS})));
        assertEquals(4, pooled.pauses());
        assertEquals(4.0, pooled.maxMs());
        assertEquals("G1", pooled.collector());
    }

    @Test
    void theRecorderSeesPausesOfThisJvmInsideASpan() throws Exception {
        try (GcPauses recorder = GcPauses.start()) {
            // JFR stamps events with its own clock, which may drift a few ms from Instant.now() in a
            // long-lived JVM: the span is padded on both sides so the pause is inside it either way.
            java.time.Instant from = java.time.Instant.now().minusSeconds(1);
            System.gc(); // a full collection pauses every collector at least once
            Thread.sleep(1000);
            java.time.Instant to = java.time.Instant.now();
            GcPauses.Summary s = recorder.between(from, to);
            assertTrue(s.pauses() >= 1, s.toString());
            assertTrue(s.maxMs() > 0 && s.totalMs() >= s.maxMs(), s.toString());
            assertEquals(GcPauses.collector(), s.collector());
            assertEquals(0, recorder.between(to.plusSeconds(3600), to.plusSeconds(3601)).pauses(),
                    "a span in which nothing ran holds no pauses");
        }
    }
}
