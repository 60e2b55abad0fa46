package ostore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import ostore.archive.ArchiveWriter;
import ostore.archive.Progress;
import ostore.archive.Restorer;
import ostore.archive.fragment.CodeParams;
import ostore.bench.ArchiveVersions.CheckingSink;
import ostore.bench.ArchiveVersions.Obj;
import ostore.bench.ArchiveVersions.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive rows of the benchmark suite with a tiny load on real storage nodes (files): every
 * row is there, parses back, and counts the operations it was asked to measure; and a restore that
 * delivers other bytes than were archived fails instead of being timed. No timing is asserted.
 */
@Timeout(60)
class ArchiveResultsTest {
    private static final CodeParams CODE = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 4, 2, 64 << 10);

    @Test
    void aTinyRunGivesEveryRowWithItsOperationCounts() throws Exception {
        ArchiveResults.Plan plan = new ArchiveResults.Plan(CODE, 2L << 20, 2, 5, 3, 2, 3, 1L << 20);
        List<Result> rows;
        try (GcPauses gc = GcPauses.start()) {
            rows = ArchiveResults.run(false, plan, gc);
        }
        assertEquals(List.of("e-all-up", "e-m-down", "e-small", "pond-archive", "pond-archive"),
                rows.stream().map(Result::workload).toList());
        // Restores read from the disk where this process may empty the page cache (root on Linux), and say which.
        String restore = PageCache.canDrop() ? "restore, cold cache" : "restore, page cache";
        assertEquals(List.of(restore, restore, restore, "archive", "archive"), rows.stream().map(Result::op).toList());
        assertEquals(List.of(2L << 20, 2L << 20, 4096L, 4096L, 2097152L),
                rows.stream().map(Result::payloadBytes).toList());
        assertEquals(List.of(2L, 2L, 5L, 5L, 3L), rows.stream().map(Result::ops).toList());
        for (Result r : rows) {
            Result parsed = Result.parse(r.toLine());
            assertEquals(r, parsed);
            assertEquals("ostore", parsed.system());
            assertEquals(1, parsed.clients());
            assertEquals(0, parsed.aborts());
            assertTrue(parsed.p5Ms() <= parsed.p50Ms() && parsed.p50Ms() <= parsed.p99Ms()
                    && parsed.p99Ms() <= parsed.maxMs(), parsed.toString());
            assertTrue(parsed.cpuSeconds() >= 0, parsed.toString());
            assertNotNull(parsed.gc(), parsed.toString());
        }
    }

    @Test
    void aRestoreOfOtherBytesThanArchivedFails(@TempDir Path dir) throws Exception {
        try (ArchiveBenchNodes nodes = ArchiveBenchNodes.files(dir, CODE.totalShards())) {
            Obj obj = ArchiveVersions.object("test/mismatch", ArchiveVersions.blocks(3, 3 * 4096, 4096));
            Version v = obj.version(1, Optional.empty(), obj.blocks());
            new ArchiveWriter(nodes.all(), CODE).write(v.root(), v.entries(), v.source(), Optional.empty(),
                    v.certificate(), Progress.NONE);
            Restorer restorer = new Restorer(nodes.all(), ArchiveVersions.ringChecker());
            // The right bytes restore (so the failures below are the sink's).
            restorer.restore(v.root().aguid(), 1, new CheckingSink(v.blocks()), Progress.NONE);

            List<byte[]> other = ArchiveVersions.blocks(4, 3 * 4096, 4096);
            IllegalStateException differs = assertThrows(IllegalStateException.class,
                    () -> restorer.restore(v.root().aguid(), 1, new CheckingSink(other), Progress.NONE));
            assertTrue(differs.getMessage().contains("differs"), differs.getMessage());

            List<byte[]> longer = ArchiveVersions.blocks(3, 4 * 4096, 4096);
            IllegalStateException shortRestore = assertThrows(IllegalStateException.class,
                    () -> restorer.restore(v.root().aguid(), 1, new CheckingSink(longer), Progress.NONE));
            assertTrue(shortRestore.getMessage().contains("3 of 4 blocks"), shortRestore.getMessage());

            List<byte[]> shorter = ArchiveVersions.blocks(3, 2 * 4096, 4096);
            assertThrows(IllegalStateException.class,
                    () -> restorer.restore(v.root().aguid(), 1, new CheckingSink(shorter), Progress.NONE));
        }
    }
}
