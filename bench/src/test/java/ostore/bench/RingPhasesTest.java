package ostore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import ostore.api.v1.Phases;
import org.junit.jupiter.api.Test;

/** One workload's phases: the replicas' counters before and after it, and the line they travel in. */
class RingPhasesTest {
    private static final WorkloadSpec SPEC = new WorkloadSpec("b", 8, 40, 10, 4096);

    private static Phases phases(long checks, long checkNanos, long updates, long batches, long orderMicros,
            long applyNanos, long signNanos) {
        return Phases.newBuilder().setChecks(checks).setCheckNanos(checkNanos).setUpdates(updates).setBatches(batches)
                .setOrderMicros(orderMicros).setApplyNanos(applyNanos).setSignNanos(signNanos).build();
    }

    @Test
    void countsOnlyTheSpanAndOnlyReplicasReadBothTimes() {
        RingPhases.Snapshot before = new RingPhases.Snapshot(Map.of(
                0, phases(100, 1_000_000, 100, 50, 100_000, 9_000_000, 9_000_000),
                1, phases(100, 1_000_000, 100, 50, 100_000, 9_000_000, 9_000_000)));
        RingPhases.Snapshot after = new RingPhases.Snapshot(Map.of(
                // replica 0: 40 updates in 10 batches, 2 ms of order each, 2 ms apply and 1 ms sign per
                // batch, 0.1 ms check
                0, phases(140, 5_000_000, 140, 60, 180_000, 29_000_000, 19_000_000),
                // replica 1: 60 updates in 10 batches, 3 ms apply and 1.5 ms sign per batch
                1, phases(160, 7_000_000, 160, 60, 220_000, 39_000_000, 24_000_000),
                // replica 2 gave no phases before the span: its counters since its start are left out
                2, phases(1_000, 1_000_000_000, 1_000, 1, 1_000_000_000, 1_000_000_000, 1_000_000_000)));
        RingPhases.Breakdown b = RingPhases.Breakdown.between(SPEC, before, after);
        // Apply and sign are per batch (50 ms and 25 ms over 20 batches): every update waits for its whole batch.
        assertEquals(new RingPhases.Breakdown("b", 8, 4096, 5.0, 0.1, 2.0, 2.5, 1.25), b);
    }

    @Test
    void noUpdatesInTheSpanIsNotANumberNotAnError() {
        RingPhases.Snapshot same = new RingPhases.Snapshot(Map.of(0, phases(1, 1, 1, 1, 1, 1, 1)));
        RingPhases.Breakdown b = RingPhases.Breakdown.between(SPEC, same, same);
        assertEquals(Double.NaN, b.perBatch());
        assertEquals(Double.NaN, b.checkMs());
        assertEquals(Double.NaN, b.signMs());
        assertEquals(b, RingPhases.Breakdown.parse(b.toLine()));
    }

    @Test
    void theLineParsesBackAndNamesWhatIsMissing() {
        RingPhases.Breakdown b = new RingPhases.Breakdown("a", 16, 4096, 3.5, 0.012, 1.25, 0.3, 0.1);
        assertEquals("phases workload=a clients=16 payload=4096 perBatch=3.5 check=0.012 order=1.25 apply=0.3 sign=0.1",
                b.toLine());
        assertEquals(b, RingPhases.Breakdown.parse(b.toLine()));
        assertEquals("not a phases line (no 'phases' prefix): result x=1",
                assertThrows(IllegalArgumentException.class, () -> RingPhases.Breakdown.parse("result x=1"))
                        .getMessage());
        String noSign = "phases workload=a clients=16 payload=4096 perBatch=3.5 check=0.012 order=1.25 apply=0.3";
        assertEquals("phases line has no 'sign' field: " + noSign,
                assertThrows(IllegalArgumentException.class, () -> RingPhases.Breakdown.parse(noSign)).getMessage());
        String badClients = "phases workload=a clients=x payload=4096 perBatch=3.5 check=0 order=1 apply=0 sign=0";
        assertEquals("a number in this phases line does not parse (For input string: \"x\"): " + badClients,
                assertThrows(IllegalArgumentException.class, () -> RingPhases.Breakdown.parse(badClients))
                        .getMessage());
    }
}
