package ostore.ring.bft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import ostore.crypto.Aguid;
import ostore.crypto.ResultReply;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.store.HistoryEntry;
import org.junit.jupiter.api.Test;

/** Retransmission, repeated replies and state transfer: how a replica that missed things gets them. */
class CatchUpTest {
    private static final long SECOND = 1_000_000;
    /** One update per batch, checkpoints every 2 batches, a window of 4: the log trims often. */
    private static final RingConfig.Params PARAMS = new RingConfig.Params(1, 1_000, 2, 4, 200_000, 5 * SECOND);
    private final SigningKey client = SigningKey.fromSeed(new byte[32]);

    private List<SubmittedUpdate> updates(int count) {
        List<SubmittedUpdate> out = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            out.add(TestUpdates.append(client, "object", n, "data " + n));
        }
        return out;
    }

    private static List<HistoryEntry> history(RingHarness h, int replica, SubmittedUpdate u) {
        Aguid a = u.decoded().update().aguid();
        return h.stores.get(replica).history(a, 0, 0);
    }

    private static ReplicaStatus.ColorStatus color0(RingHarness h, int replica) {
        return h.replicas.get(replica).status().colors().getFirst();
    }

    @Test
    void aReplicaCutOffPastSeveralCheckpointsCatchesUpWithNoFurtherClientTraffic() {
        RingHarness h = new RingHarness(PARAMS);
        List<SubmittedUpdate> us = updates(11);
        h.silent.add(3);
        for (SubmittedUpdate u : us) {
            h.submit(u, 0, 1, 2);
            h.run(10_000);
        }
        h.run(SECOND);
        assertEquals(11, color0(h, 0).executed(), "the three others executed everything");
        assertEquals(0, color0(h, 3).executed(), "the cut-off replica executed nothing");
        h.silent.remove(3);
        h.run(20 * SECOND);
        ReplicaStatus.ColorStatus caughtUp = color0(h, 3);
        assertEquals(11, caughtUp.executed(), "caught up to the last committed batch, above the stable checkpoint");
        assertEquals(10, caughtUp.stable(), "adopted the stable checkpoint");
        assertFalse(caughtUp.stranded());
        assertEquals(history(h, 0, us.getFirst()), history(h, 3, us.getFirst()), "same history as a peer");
        assertTrue(h.logs.get(3).firstPosition(0) > 0, "trimmed its log at the transferred checkpoint");
    }

    @Test
    void aReplicaOnlySlowerThanItsPeersRunsToTheirCheckpointWithoutFetchingState() {
        // Checkpoints at every batch: the three backups make batch 1 stable while the primary's disk holds its records.
        RingHarness h = new RingHarness(new RingConfig.Params(1, 1_000, 1, 2, 200_000, 5 * SECOND));
        // Counted while the backups reach the checkpoint (shorter than a retransmission round, whose
        // FETCH-STATE asks peers for anything past the executed batch whether behind or not).
        boolean[] counting = {false};
        int[] fetches = {0};
        h.drop = e -> {
            if (counting[0] && e.from() == 0 && (e.type() == Message.FETCH_STATE || e.type() == Message.FETCH_SNAPSHOT)) {
                fetches[0]++;
            }
            return false;
        };
        SubmittedUpdate u = updates(1).getFirst();
        h.logs.get(0).hold();
        h.submitToAll(u);
        h.run(10_000);
        h.releaseLog(0);
        // The pre-prepare is out; the primary's next records wait for its disk while the backups go on.
        h.logs.get(0).hold();
        counting[0] = true;
        h.run(10_000);
        counting[0] = false;
        assertEquals(1, color0(h, 1).stable(), "the backups made batch 1 stable without the primary");
        assertEquals(0, color0(h, 0).executed(), "the primary's commit record is not durable yet");
        assertEquals(0, fetches[0], "the primary asked for no state: it holds every batch up to the checkpoint");
        h.releaseLog(0);
        h.run(SECOND);
        assertEquals(1, color0(h, 0).executed(), "the primary ran the batch it held");
        assertEquals(1, color0(h, 0).stable(), "and adopted the checkpoint after it");
        assertEquals(history(h, 1, u), history(h, 0, u), "same history as a peer");
    }

    @Test
    void aReplicaThatAdoptedACheckpointAheadOfItsStoreRestartsInsideItsWindow() {
        // Peers keep one batch below their stable checkpoint, so a replica far behind must install a snapshot.
        RingHarness h = new RingHarness(new RingConfig.Params(1, 1_000, 2, 4, 200_000, 5 * SECOND, 1));
        List<SubmittedUpdate> us = updates(16);
        h.silent.add(3);
        for (SubmittedUpdate u : us.subList(0, 11)) {
            h.submit(u, 0, 1, 2);
            h.run(10_000);
        }
        // Back, but no store snapshot reaches it: pages of state tell it the ring's checkpoint, too far ahead to catch up to.
        h.silent.remove(3);
        h.drop = e -> e.to() == 3 && e.type() == Message.SNAPSHOT;
        for (SubmittedUpdate u : us.subList(11, 16)) {
            h.submit(u, 0, 1, 2, 3);
            h.run(10_000);
        }
        h.run(SECOND);
        ReplicaStatus.ColorStatus behind = color0(h, 3);
        assertEquals(0, behind.executed(), "it ran nothing");
        assertTrue(behind.stable() > PARAMS.watermarkWindow(), "it adopted a checkpoint more than a window ahead: "
                + behind.stable());
        // Its slots above that checkpoint were logged; a restart must find them inside its window again.
        h.crashAndRestart(3);
        assertEquals(behind.stable(), color0(h, 3).stable(), "the adopted checkpoint came back from the log");
        assertEquals(0, color0(h, 3).executed(), "and the store is still behind it");
        h.drop = e -> false;
        h.run(20 * SECOND);
        assertEquals(color0(h, 0).executed(), color0(h, 3).executed(), "caught up with the ring");
        assertEquals(history(h, 0, us.getLast()), history(h, 3, us.getLast()), "same history as a peer");
        assertEquals(16, history(h, 3, us.getLast()).size(), "every update");
    }

    @Test
    void aBatchRunBeforeAnAdoptedCheckpointRunsAgainFromTheLogAfterACrash() {
        // Pages of one batch and one payload, and only the first page reaches replica 3: it learns the
        // ring's checkpoint from it and moves its window there, but cannot run the batches up to it.
        RingHarness h = new RingHarness(PARAMS, 1);
        List<SubmittedUpdate> us = updates(12);
        h.submitToAll(us.getFirst());
        h.run(10_000);
        assertEquals(1, color0(h, 3).executed());
        h.silent.add(3);
        for (SubmittedUpdate u : us.subList(1, 11)) {
            h.submit(u, 0, 1, 2);
            h.run(10_000);
        }
        h.silent.remove(3);
        int[] pages = {0};
        h.drop = e -> e.to() == 3 && (e.type() == Message.STATE && pages[0]++ > 0 || e.type() == Message.PAYLOADS);
        h.run(SECOND);
        ReplicaStatus.ColorStatus behind = color0(h, 3);
        assertEquals(2, behind.executed(), "it ran the one batch its page brought");
        assertEquals(10, behind.stable(), "it adopted the ring's checkpoint from that page");
        // Batch 1 is logged committed and executed, but its store write was never synced: the crash loses it,
        // and recovery must run it again although the window no longer holds its slot (batch 2 too, from its BATCH record).
        h.crashAndRestart(3);
        assertEquals(2, color0(h, 3).executed(), "batches 1 and 2 ran again from the log");
        assertEquals(10, color0(h, 3).stable());
        h.drop = e -> false;
        h.submitToAll(us.getLast());
        h.run(20 * SECOND);
        assertEquals(color0(h, 0).executed(), color0(h, 3).executed(), "caught up with the ring");
        assertEquals(history(h, 0, us.getLast()), history(h, 3, us.getLast()), "same history as a peer");
    }

    @Test
    void stateTransferComesInPagesOfOneBatchAndOnePayloadWhenThePageBudgetIsTiny() {
        // Batches of two, so each such batch's second payload has to be fetched after its page. An
        // idle primary proposes the first of three updates at once and the next two together.
        RingConfig.Params twoPerBatch = new RingConfig.Params(2, 1_000, 2, 4, 200_000, 5 * SECOND);
        RingHarness h = new RingHarness(twoPerBatch, 1);
        List<SubmittedUpdate> us = updates(21);
        h.silent.add(3);
        int[] largestState = {0};
        int[] pagesTo3 = {0};
        int[] payloadFetchesBy3 = {0};
        h.drop = e -> {
            if (e.type() == Message.STATE) {
                largestState[0] = Math.max(largestState[0], e.frame().length);
                pagesTo3[0] += e.to() == 3 ? 1 : 0;
            }
            payloadFetchesBy3[0] += e.type() == Message.FETCH_PAYLOADS && e.from() == 3 ? 1 : 0;
            return false;
        };
        for (int i = 0; i < us.size(); i += 3) {
            h.submit(us.get(i), 0, 1, 2);
            h.submit(us.get(i + 1), 0, 1, 2);
            h.submit(us.get(i + 2), 0, 1, 2);
            h.run(10_000);
        }
        h.run(SECOND);
        long executed = color0(h, 0).executed();
        assertTrue(executed >= 6, "the three others executed several checkpoints' worth: " + executed);
        h.silent.remove(3);
        h.run(20 * SECOND);
        assertEquals(executed, color0(h, 3).executed(), "caught up, one page at a time");
        assertEquals(history(h, 0, us.getFirst()), history(h, 3, us.getFirst()), "same history as a peer");
        assertTrue(largestState[0] > 0 && largestState[0] < 4096, "pages stayed small: " + largestState[0]);
        assertTrue(pagesTo3[0] >= executed / 2, "one batch per page: " + pagesTo3[0] + " pages for " + executed);
        assertTrue(payloadFetchesBy3[0] > 0, "the payloads a page had no room for were fetched");
    }

    @Test
    void aCaughtUpReplicaSurvivesACrashWithoutReExecuting() {
        RingHarness h = new RingHarness(PARAMS);
        List<SubmittedUpdate> us = updates(6);
        h.silent.add(2);
        for (SubmittedUpdate u : us) {
            h.submit(u, 0, 1, 3);
            h.run(10_000);
        }
        h.silent.remove(2);
        h.run(20 * SECOND);
        assertEquals(6, color0(h, 2).executed());
        h.crashAndRestart(2);
        h.run(SECOND);
        assertEquals(6, color0(h, 2).executed(), "recovered from its own log");
        assertEquals(history(h, 0, us.getFirst()), history(h, 2, us.getFirst()));
    }

    @Test
    void aRestartedReplicaCanStillProveWhatItCommittedAboveItsCheckpoint() {
        RingHarness h = new RingHarness(PARAMS);
        for (SubmittedUpdate u : updates(3)) {
            h.submitToAll(u);
            h.run(10_000);
        }
        h.run(SECOND);
        assertEquals(3, color0(h, 0).executed());
        assertEquals(2, color0(h, 0).stable());
        h.crashAndRestart(0);
        Slot slot = h.replicas.get(0).state.lane(0).slotAt(3L);
        assertTrue(slot.committed(), "recovered the commit from its log");
        assertTrue(slot.commitProof() != null && slot.commitProof().commits().size() >= h.config.quorum(),
                "and the 2f+1 COMMITs that prove it to a peer");
    }

    @Test
    void aClientAskingAgainGetsTheSameReplyWithoutASecondExecution() {
        RingHarness h = new RingHarness(PARAMS);
        SubmittedUpdate u = updates(1).getFirst();
        h.submitToAll(u);
        h.run(SECOND);
        byte[] first = h.replies.get(1).remove(u.decoded().digest());
        assertTrue(ResultReply.decode(first).verify(h.config.key(1)));
        h.submit(u, 1);
        h.run(SECOND);
        assertArrayEquals(first, h.replies.get(1).get(u.decoded().digest()), "the same signed reply, again");
        assertEquals(1, history(h, 1, u).size(), "executed once");
    }

    @Test
    void lostPreparesAndCommitsAreSentAgainBeforeAViewChangeIsNeeded() {
        RingHarness h = new RingHarness(PARAMS);
        // Every replica's first PREPARE and first COMMIT are lost on all three links.
        int[][] sent = new int[4][Message.MAX_TYPE + 1];
        int[] dropped = {0};
        h.drop = e -> {
            boolean lost = (e.type() == Message.PREPARE || e.type() == Message.COMMIT) && sent[e.from()][e.type()]++ < 3;
            dropped[0] += lost ? 1 : 0;
            return lost;
        };
        SubmittedUpdate u = updates(1).getFirst();
        h.submitToAll(u);
        h.run(SECOND);
        assertTrue(dropped[0] > 0, "the rule dropped frames");
        for (int r = 0; r < 4; r++) {
            assertEquals(1, color0(h, r).executed(), "replica " + r + " executed the batch");
            assertEquals(0, h.replicas.get(r).status().view(), "replica " + r + " stayed in view 0");
        }
    }

}
