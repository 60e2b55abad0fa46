package ostore.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import ostore.bench.GcPauses;
import ostore.bench.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's arithmetic and layout, from rows made up here (no driver runs). */
class ReportTest {
    private static final RunInfo INFO = new RunInfo("quick", "2026-11-22 08:00 UTC", "abc1234", "2 cores", "JDK 25",
            "etcd 3.4.23", "0.5 0.4 0.3", "llpl (libpmemobj.so.1), 255 MiB, extents of 32768 KiB");

    /** A row whose latencies are {@code p50} ms each, {@code ops} of them over {@code wall} seconds. */
    private static Result row(String system, String workload, int clients, long payload, double p50, long ops,
            double wall, long aborts, GcPauses.Summary gc) {
        return new Result(system, workload, "op", payload, clients, ops, aborts, p50 / 2, p50, p50 * 2, p50 * 3,
                p50 * 4, wall, wall / 2, gc);
    }

    @Test
    void ratiosPairOstoreAndEtcdAtTheSameWorkloadAndClientsOnly() {
        List<Result> rs = List.of(
                row("ostore", "a", 1, 4096, 10, 100, 1, 0, null),
                row("ostore", "a", 16, 4096, 40, 400, 1, 0, null),
                row("etcd", "a", 1, 4096, 2, 500, 1, 0, null),
                row("etcd", "a", 64, 4096, 20, 1500, 1, 0, null),
                row("ostore", "b", 8, 4096, 30, 200, 1, 50, null),
                row("etcd", "b", 8, 4096, 5, 1000, 1, 600, null));
        List<Report.Pair> pairs = Report.pairs(rs);
        assertEquals(2, pairs.size(), pairs.toString());
        assertEquals(0.2, pairs.get(0).throughput(), 1e-9); // 100 against 500 commits/s
        // workload b: ostore commits 150/s, etcd 400/s
        assertEquals(150.0 / 400.0, pairs.get(1).throughput(), 1e-9);
        String table = Report.ratios(rs);
        assertTrue(table.contains("| a | 1 | 100 | 500 | 0.20 | 5.00 | 5.00 |"), table);
        assertTrue(table.contains("| b | 8 | 150 | 400 | 0.38 |"), table);
        assertTrue(table.contains("25.0% / 60.0%"), table);
        assertFalse(table.contains("| a | 16 |"), "a point etcd did not run has no ratio: " + table);
    }

    @Test
    void targetsAreJudgedFromTheRowsTheyName() {
        // 1,998 short pauses and two of 1.5 and 2 ms: the pooled p99.9 (rank 1,998 of 2,000) is short,
        // though one run's own longest pause is over 1 ms.
        long[] calmPauses = new long[999];
        java.util.Arrays.fill(calmPauses, 20_000);
        long[] stallPauses = java.util.Arrays.copyOf(calmPauses, 1001);
        stallPauses[999] = 1_500_000;
        stallPauses[1000] = 2_000_000;
        GcPauses.Summary calm = GcPauses.Summary.of("ZGC (generational)", calmPauses);
        GcPauses.Summary stall = GcPauses.Summary.of("ZGC (generational)", stallPauses);
        // The archive's pauses are not a load run's: a long one there is not judged.
        GcPauses.Summary archive = GcPauses.Summary.of("ZGC (generational)", new long[] {50_000_000});
        List<Result> rs = List.of(
                row("ostore", "a", 1, 4096, 1.5, 100, 1, 0, calm),
                row("ostore", "a", 16, 4096, 40, 1600, 1, 0, stall),
                row("etcd", "a", 16, 4096, 4, 1000, 1, 0, null),
                row("ostore", "e-m-down", 1, 64 << 20, 200, 3, 0.5, 0, archive));
        String t = Report.targets(rs);
        assertTrue(t.contains("| 1.50 ms at 1 client(s) | yes |"), t);
        assertTrue(t.contains("1,600 against 1,000 updates/s (16 and 16 clients): 1.60x | yes |"), t);
        assertTrue(t.contains("403 MB/s (64 MiB object) | yes |"), t); // 64 MiB x 3 / 0.5 s
        assertTrue(t.contains("| 0.020 ms over 2,000 pauses (ZGC (generational); longest 2.000 ms) | yes |"), t);
        // With fewer than a thousand pauses the p99.9 is the longest, and it says so.
        String few = Report.targets(List.of(row("ostore", "b", 8, 4096, 30, 100, 1, 0,
                GcPauses.Summary.of("ZGC (generational)", new long[] {20_000, 1_200_000}))));
        assertTrue(few.contains("| 1.200 ms over 2 pauses, so the longest (ZGC (generational); longest 1.200 ms) | **no** |"),
                few);
        // Recorded, but not one pause: nothing to judge, and no "yes" for it.
        String quiet = Report.targets(List.of(row("ostore", "a", 1, 4096, 30, 100, 1, 0,
                GcPauses.Summary.of("ZGC (generational)", new long[0]))));
        assertTrue(quiet.contains("| no pause recorded in any measured span: not judged | — |"), quiet);
        String none = Report.targets(List.of(row("etcd", "a", 1, 4096, 2, 10, 1, 0, null)));
        assertEquals(4, none.split("not measured in this run", -1).length - 1, none);
    }

    @Test
    void thePondTableTakesPhasesFromTheOneClientRowAndArchiveFromItsOwnRun() {
        List<Result> rs = List.of(
                row("ostore", "a", 1, 4096, 12, 100, 1, 0, null),
                row("ostore", "a", 4, 4096, 30, 100, 1, 0, null),
                row("ostore", "pond-archive", 1, 4096, 0.8, 20, 1, 0, null),
                row("ostore", "d", 1, 2 << 20, 200, 10, 2, 0, null));
        List<Map<String, String>> phases = List.of(
                Map.of("workload", "a", "clients", "4", "payload", "4096", "check", "9", "order", "9", "apply", "9", "sign", "9"),
                Map.of("workload", "a", "clients", "1", "payload", "4096", "check", "0.39", "order", "11.6", "apply",
                        "0.55", "sign", "0.28"));
        String p = Report.pond(rs, phases);
        assertTrue(p.contains("| 6.0 / 12.0 / 24.0 (1 client(s)) | median 39"), p);
        assertTrue(p.contains("| 0.39 / 11.60 / 0.55 / 0.80 / 0.28 | 0.3 / 6.1 / 1.5 / 4.5 / 77.8 |"), p);
        assertTrue(p.contains("| 100.0 / 200.0 / 400.0 (1 client(s)) | median 1,086"), p);
    }

    @Test
    void theReportReplacesOnlyItsOwnBlockAndKeepsTheHistory() {
        String history = "# ostore benchmarks\n\nSome words.\n\n## 2026-11-21: an old run\n| x |\n";
        String first = Report.splice(history, Report.BEGIN + "\nrun 1\n" + Report.END + "\n");
        assertTrue(first.startsWith("# ostore benchmarks\n\n" + Report.BEGIN + "\nrun 1\n"), first);
        assertTrue(first.endsWith("Some words.\n\n## 2026-11-21: an old run\n| x |\n"), first);
        String second = Report.splice(first, Report.BEGIN + "\nrun 2\n" + Report.END + "\n");
        assertFalse(second.contains("run 1"), second);
        assertEquals(first.replace("run 1", "run 2"), second);
        assertTrue(Report.splice("", "B\n").startsWith("# ostore benchmarks\n\nB\n"));
    }

    @Test
    void writingARunLeavesAReportAndAPlotThatDecodes(@TempDir Path dir) throws Exception {
        List<Result> rs = List.of(
                row("ostore", "a", 1, 4096, 13, 67, 1, 0, null),
                row("ostore", "a", 64, 4096, 250, 220, 1, 0, null),
                row("etcd", "a", 1, 4096, 2.6, 386, 1, 0, null),
                row("etcd", "a", 64, 4096, 40, 1550, 1, 0, null));
        Suite.Measured m = new Suite.Measured(INFO, rs, List.of(), List.of(new Micro.Row("CryptoBenchmark.sha256",
                Map.of("size", "4096"), 12.5, 0.4, "us/op")), List.of("archive: it broke"));
        Path file = dir.resolve("benchmarks.md");
        Report.write(m, file);
        String md = Files.readString(file);
        assertTrue(md.contains("commit abc1234"), md);
        assertTrue(md.contains("### Targets — 2026-11-22 08:00 UTC, commit abc1234, 2 cores\n"), md);
        assertTrue(md.contains("**Parts that failed**"), md);
        assertTrue(md.contains("- archive: it broke"), md);
        assertTrue(md.contains("| CryptoBenchmark.sha256 | size=4096 | 12.50 ± 0.4000 | us/op |"), md);
        assertTrue(md.contains("](" + Report.PLOT + ")"), md);
        BufferedImage png = ImageIO.read(dir.resolve(Report.PLOT).toFile());
        assertEquals(Plot.WIDTH, png.getWidth());
        assertEquals(Plot.HEIGHT, png.getHeight());
        // Both series are drawn: ostore's blue and etcd's red appear in the picture.
        assertTrue(hasColor(png, 0x1f77b4), "ostore's series");
        assertTrue(hasColor(png, 0xd62728), "etcd's series");
    }

    private static boolean hasColor(BufferedImage img, int rgb) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    return true;
                }
            }
        }
        return false;
    }
}
