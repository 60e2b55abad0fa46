package ostore.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import ostore.client.OstoreClient;
import ostore.client.RingPolicy;
import ostore.client.RingSpec;
import ostore.node.ring.EmbeddedRing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite's ostore side end to end with a tiny load: one embedded ring, every workload in turn,
 * and the lines the suite parses. No timing is asserted, only counts and what the ring holds.
 */
class RingWorkloadsTest {
    @TempDir
    Path dir;

    @Test
    void everyWorkloadRunsOnOneRingAndPrintsLinesThatParse() throws Exception {
        List<WorkloadSpec> specs = RingWorkloads.parse(List.of("a:2:3:1:4096", "b:3:5:1:4096", "c-latest:2:3:1:4096",
                "c-old:2:3:1:4096", "d:1:2:0:2097152"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<RingWorkloads.SpecRun> runs;
        try (EmbeddedRing ring = LoadDriver.startRing(dir, 2); GcPauses gc = GcPauses.start()) {
            RingSpec spec = ring.spec();
            runs = RingWorkloads.runAll(key -> OstoreClient.connectRing(spec, key, RingPolicy.DEFAULT), spec, gc,
                    specs, new PrintStream(printed, true, UTF_8));
        }

        List<String> lines = printed.toString(UTF_8).lines().toList();
        List<String> kinds = lines.stream().map(l -> l.substring(0, l.indexOf(' '))).toList();
        // Update workloads on a ring have a phases line after their row; reads do not.
        assertEquals(List.of("result", "phases", "result", "phases", "result", "result", "result", "phases"), kinds,
                String.join("\n", lines));
        List<Result> results = lines.stream().filter(l -> l.startsWith(Result.PREFIX)).map(Result::parse).toList();
        List<RingPhases.Breakdown> phases = lines.stream().filter(l -> l.startsWith(RingPhases.Breakdown.PREFIX))
                .map(RingPhases.Breakdown::parse).toList();
        assertEquals(runs.stream().map(RingWorkloads.SpecRun::result).toList(), results);

        for (int i = 0; i < specs.size(); i++) {
            WorkloadSpec s = specs.get(i);
            Result r = results.get(i);
            assertEquals("ostore", r.system());
            assertEquals(s.workload(), r.workload());
            assertEquals(s.workload().startsWith("c-") ? "get" : s.workload().equals("d") ? "replace" : "replace-block",
                    r.op());
            assertEquals(s.payloadBytes(), r.payloadBytes());
            assertEquals(s.clients(), r.clients());
            assertEquals((long) s.clients() * s.opsPerClient(), r.ops(), s.toString());
            if (!s.workload().equals("b")) {
                assertEquals(0, r.aborts(), s.toString());
            }
            assertNotNull(r.gc(), s + " has its span's GC pauses");
            assertEquals(GcPauses.collector(), r.gc().collector());
            assertFalse(Double.isNaN(r.cpuSeconds()));
        }

        List<String> updateWorkloads = List.of("a", "b", "d");
        assertEquals(updateWorkloads, phases.stream().map(RingPhases.Breakdown::workload).toList());
        for (RingPhases.Breakdown p : phases) {
            WorkloadSpec s = specs.stream().filter(x -> x.workload().equals(p.workload())).findFirst().orElseThrow();
            assertEquals(s.clients(), p.clients());
            assertEquals(s.payloadBytes(), p.payloadBytes());
            assertTrue(p.perBatch() >= 1, p.toLine()); // updates were ordered in this span
            for (double ms : new double[] {p.orderMs(), p.applyMs(), p.signMs()}) {
                assertTrue(ms >= 0 && Double.isFinite(ms), p.toLine());
            }
        }

        // (b): the hot object holds its creation plus exactly the commits counted, so every
        // attempt the ring aborted was counted as an abort and nothing else was.
        RingWorkloads.SpecRun b = runs.get(1);
        RingWorkloads.HotObject hot = b.hot();
        assertEquals(1, hot.createdSeq());
        // Three warm-up attempts, all "if the latest is seq 1": exactly one can hold.
        assertEquals(1, hot.warmupCommits(), hot.toString());
        assertEquals(hot.createdSeq() + hot.warmupCommits() + b.result().ops() - b.result().aborts(), hot.finalSeq());
        for (RingWorkloads.SpecRun other : List.of(runs.get(0), runs.get(2), runs.get(3), runs.get(4))) {
            assertNull(other.hot());
        }
    }
}
