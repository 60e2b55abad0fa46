package ostore.ring.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ostore.crypto.SigningKey;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints trim a replica's log in place: the records of the batches kept below the stable
 * checkpoint for lagging peers stay where they were written, and a restarted replica rebuilds that
 * history from them.
 */
class LogTrimTest {
    private static final long SECOND = 1_000_000;
    /** One update per batch, a checkpoint every 2 batches, a window of 4, 8 batches kept below stable. */
    private static final RingConfig.Params PARAMS = new RingConfig.Params(1, 1_000, 2, 4, 200_000, 5 * SECOND, 8);
    private final SigningKey client = SigningKey.fromSeed(new byte[32]);

    private RingHarness ringAfter(int updates) {
        RingHarness h = new RingHarness(PARAMS);
        for (int n = 1; n <= updates; n++) {
            h.submitToAll(TestUpdates.append(client, "object", n, "data " + n));
            h.run(10_000);
        }
        h.run(SECOND);
        return h;
    }

    @Test
    void aCheckpointWritesItsRecordNotTheKeptHistoryAgain() {
        int updates = 40;
        RingHarness h = ringAfter(updates);
        Lane lane = h.replicas.get(1).state.lane(0);
        assertEquals(40, lane.stable());
        assertEquals(8, lane.history().size(), "keeps the configured history below the stable checkpoint");
        // Per batch a backup logs its payload, ACCEPTED, PREPARED, COMMIT-PROOF and EXECUTED, and a
        // STABLE every second batch. Rewriting the kept history at each checkpoint would add up to 16
        // records (8 batches and their payloads) per checkpoint: 8 per batch on top.
        long written = h.logs.get(1).nextPosition(0);
        assertTrue(written <= 6L * updates, "wrote " + written + " records for " + updates + " batches");
        long first = h.logs.get(1).firstPosition(0);
        assertTrue(first > 0, "the log was trimmed");
        assertTrue(written - first <= 6L * (8 + PARAMS.watermarkWindow()) + 2,
                "and holds little more than the kept history and the window: " + (written - first) + " records");
    }

    @Test
    void aRestartedReplicaRebuildsItsKeptHistoryFromTheRecordsLeftInPlace() {
        RingHarness h = ringAfter(21);
        Lane before = h.replicas.get(2).state.lane(0);
        Map<Long, Lane.Executed> history = new TreeMap<>(before.history());
        assertEquals(20, before.stable());
        assertEquals(List.of(13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L, 21L), List.copyOf(history.keySet()),
                "8 batches kept below the stable checkpoint, and the one executed above it");
        h.crashAndRestart(2);
        Lane after = h.replicas.get(2).state.lane(0);
        assertEquals(before.stable(), after.stable());
        assertEquals(List.copyOf(history.keySet()), List.copyOf(after.history().keySet()), "the same batches kept");
        history.forEach((seqno, e) -> {
            Lane.Executed again = after.history().get(seqno);
            assertEquals(e.batch().digests(), again.batch().digests(), "batch " + seqno);
            assertEquals(e.batch().timestampMicros(), again.batch().timestampMicros(), "batch " + seqno);
            assertEquals(e.resultsRoot(), again.resultsRoot(), "batch " + seqno);
            assertEquals(e.stateDigest(), again.stateDigest(), "batch " + seqno);
            e.batch().digests().forEach(d -> assertTrue(h.replicas.get(2).state.holds(d),
                    "payload of batch " + seqno + " recovered"));
            e.batch().digests().forEach(d -> assertTrue(!h.replicas.get(2).state.pending().containsKey(d),
                    "batch " + seqno + "'s update is not pending again"));
        });
    }

    @Test
    void aPeerCutOffCatchesUpFromARestartedReplicasRebuiltHistory() {
        RingHarness h = new RingHarness(PARAMS);
        h.silent.add(3);
        for (int n = 1; n <= 7; n++) {
            h.submit(TestUpdates.append(client, "object", n, "data " + n), 0, 1, 2);
            h.run(10_000);
        }
        h.run(SECOND);
        assertEquals(0, h.replicas.get(3).state.lane(0).executed());
        // Every peer restarts and can serve the missed batches only from history rebuilt out of its log.
        for (int i = 0; i < 3; i++) {
            h.crashAndRestart(i);
        }
        int[] snapshotAsks = {0};
        h.drop = e -> {
            snapshotAsks[0] += e.type() == Message.FETCH_SNAPSHOT ? 1 : 0;
            return false;
        };
        h.silent.remove(3);
        h.run(20 * SECOND);
        assertEquals(7, h.replicas.get(3).state.lane(0).executed(), "caught up");
        assertEquals(0, snapshotAsks[0], "batch by batch from the peers' history, not from a store snapshot");
        assertEquals(h.replicas.get(0).state.lane(0).stateDigest(), h.replicas.get(3).state.lane(0).stateDigest());
    }

    @Test
    void theViewRecordsAndAnIdleColorMoveUpSoTheLogCanFreeSpaceBelowThem() {
        RingHarness h = new RingHarness(PARAMS, StateServer.PAGE_BYTES, 2);
        String idle = objectOfColor(h, 1);
        String busy = objectOfColor(h, 0);
        // Color 1 gets one batch, no checkpoint (every 2 batches), then nothing more.
        h.submitToAll(TestUpdates.append(client, idle, 1, "idle 1"));
        h.run(SECOND);
        // A view change writes VIEW and NEW-VIEW records to every replica's control color.
        h.silent.add(0);
        h.submitToAll(TestUpdates.append(client, busy, 1, "busy 1"));
        h.run(10 * SECOND);
        h.silent.remove(0);
        h.run(SECOND);
        for (int i = 0; i < 4; i++) {
            h.replicas.get(i).checkpointer.trimmer.compactAfterBytes = 1;
        }
        int control = h.config.colors();
        long[] controlBefore = new long[4];
        for (int i = 0; i < 4; i++) {
            controlBefore[i] = h.logs.get(i).nextPosition(control);
            assertTrue(i == 0 || controlBefore[i] > 0, "replica " + i + " logged the view change");
            assertEquals(0, h.logs.get(i).firstPosition(1), "color 1 untrimmed so far");
        }
        for (int n = 2; n <= 12; n++) {
            h.submitToAll(TestUpdates.append(client, busy, n, "busy " + n));
            h.run(10_000);
        }
        h.run(SECOND);
        for (int i = 1; i < 4; i++) {
            assertTrue(h.logs.get(i).firstPosition(control) >= controlBefore[i],
                    "replica " + i + "'s view records moved up past where they were");
        }
        for (int i = 0; i < 4; i++) {
            assertTrue(h.logs.get(i).firstPosition(1) > 0, "replica " + i + "'s idle color moved up");
        }
        // What the moved records say is unchanged: a restarted replica is in view 1 with color 1's batch.
        h.crashAndRestart(2);
        h.run(SECOND);
        ReplicaStatus status = h.replicas.get(2).status();
        assertEquals(1, status.view());
        assertEquals(1, h.replicas.get(2).state.lane(1).executed());
        h.submitToAll(TestUpdates.append(client, idle, 2, "idle 2"));
        h.run(SECOND);
        for (int i = 0; i < 4; i++) {
            assertEquals(2, h.replicas.get(i).state.lane(1).executed(), "replica " + i + " ran color 1's next batch");
        }
    }

    private String objectOfColor(RingHarness h, int color) {
        for (int i = 0; ; i++) {
            String name = "object-" + i;
            if (h.config.colorOf(TestUpdates.append(client, name, 1, "x").decoded().update().aguid()) == color) {
                return name;
            }
        }
    }
}
