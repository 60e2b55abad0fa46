package ostore.ring.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import ostore.crypto.Aguid;
import ostore.crypto.Certificate;
import ostore.crypto.ResultReply;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.store.HistoryEntry;
import org.junit.jupiter.api.Test;

class ReplicaTest {
    private static final long SECOND = 1_000_000;
    private static final RingConfig.Params PARAMS = new RingConfig.Params(4, 1_000, 2, 4, 200_000, 5 * SECOND);
    private final SigningKey client = SigningKey.fromSeed(new byte[32]);

    private List<SubmittedUpdate> updates(int objects, int perObject) {
        List<SubmittedUpdate> out = new ArrayList<>();
        for (int n = 1; n <= perObject; n++) {
            for (int o = 0; o < objects; o++) {
                out.add(TestUpdates.append(client, "object-" + o, n, "data " + o + "/" + n));
            }
        }
        return out;
    }

    private static List<HistoryEntry> history(RingHarness h, int replica, Aguid aguid) {
        return h.stores.get(replica).history(aguid, 0, 0);
    }

    private void assertSameHistories(RingHarness h, List<SubmittedUpdate> us, int... replicas) {
        for (SubmittedUpdate u : us) {
            Aguid a = u.decoded().update().aguid();
            List<HistoryEntry> first = history(h, replicas[0], a);
            long executions = first.stream().filter(e -> e.updateDigest().equals(u.decoded().digest())).count();
            assertEquals(1, executions, "update " + u.decoded().digest().shortHex() + " executed once");
            for (int r : replicas) {
                assertEquals(first, history(h, r, a), "replica " + r + " history of " + a);
            }
        }
    }

    @Test
    void updatesExecuteEverywhereInOneOrderWithMatchingRepliesAndCertificates() {
        RingHarness h = new RingHarness(PARAMS);
        List<SubmittedUpdate> us = updates(3, 3);
        us.forEach(h::submitToAll);
        h.run(SECOND);
        assertSameHistories(h, us, 0, 1, 2, 3);
        for (SubmittedUpdate u : us) {
            List<ResultReply> good = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                ResultReply reply = ResultReply.decode(h.replies.get(r).get(u.decoded().digest()));
                assertTrue(reply.verify(h.config.key(reply.signer())), "reply of replica " + r + " verifies");
                good.add(reply);
            }
            assertTrue(good.stream().allMatch(x -> x.leaf().equals(good.getFirst().leaf())), "replies match");
            assertEquals(1, good.getFirst().leaf().outcome(), "committed");
            Aguid a = u.decoded().update().aguid();
            for (int r = 0; r < 4; r++) {
                byte[] bytes = h.stores.get(r).certificate(a, good.getFirst().leaf().seq()).orElseThrow();
                Certificate c = Certificate.decode(bytes);
                c.check(h.config.keys(), 1);
                assertTrue(c.signatures().size() >= 3, "2f+1 signatures");
                assertEquals(good.getFirst().leaf(), c.leaf());
            }
        }
    }

    @Test
    void aReplicaDropsAnUpdateLargerThanItsLogHoldsAndTakesOneThatFits() {
        RingHarness h = new RingHarness(PARAMS);
        int limit = 4096;
        h.logs.set(0, new MemorySharedLog(2, limit));
        h.boot(0);
        Replica r = h.replicas.get(0);
        assertEquals(limit - LogRecords.PAYLOAD_OVERHEAD_BYTES, r.maxUpdateBytes());
        SubmittedUpdate big = TestUpdates.append(client, "big", 1, "x".repeat(limit));
        r.onClientUpdate(big);
        assertEquals(0, r.status().pendingUpdates(), "an update no record can hold is not taken");
        assertEquals(0, h.logs.get(0).nextPosition(0), "nor logged");
        SubmittedUpdate small = TestUpdates.append(client, "small", 1, "fits");
        r.onClientUpdate(small);
        assertEquals(1, r.status().pendingUpdates());
    }

    /**
     * A log with a capacity is shared out in steps: past three quarters the replica refuses new
     * client updates at its edge (it says why), past seven eighths it logs none at all, and the log
     * never goes past that with updates.
     */
    @Test
    void aReplicaPastThreeQuartersOfItsLogRefusesNewUpdatesAndPastSevenEighthsLogsNone() {
        RingHarness h = new RingHarness(PARAMS);
        long capacity = 64 << 10;
        h.logs.set(1, new MemorySharedLog(2, 1 << 16, capacity));
        h.boot(1);
        Replica r = h.replicas.get(1);
        int taken = 0;
        boolean takenPastThreeQuarters = false;
        for (int i = 0; i < 24; i++) {
            long before = h.logs.get(1).bytesUsed();
            assertEquals(before > capacity * 3 / 4, r.logRefusal().isPresent(), "refuses new updates only past 3/4, at " + before);
            r.onClientUpdate(TestUpdates.append(client, "object-" + i, 1, "x".repeat(4096)));
            long after = h.logs.get(1).bytesUsed();
            assertTrue(after <= capacity * 7 / 8, "no update is logged past 7/8: " + after);
            if (after > before) {
                taken++;
                takenPastThreeQuarters |= before > capacity * 3 / 4;
            }
        }
        assertTrue(takenPastThreeQuarters, "between 3/4 and 7/8 it still logs updates (those a batch orders)");
        assertEquals(taken, r.status().pendingUpdates());
        assertTrue(taken < 24, "it stopped logging updates");
        assertTrue(r.logRefusal().orElseThrow().contains("over three quarters full"), r.logRefusal().orElseThrow());
        assertEquals(r.logRefusal().orElseThrow(), r.status().log().refusal());
    }

    /**
     * A color whose updates stopped between checkpoints is checkpointed anyway while the primary's
     * log is over three quarters full (it refuses new updates, so none would bring the checkpoint):
     * the primary ends the interval with an empty batch, and every log is trimmed.
     */
    @Test
    void anIdleColorIsCheckpointedAndTrimmedWithoutMoreUpdatesWhenThePrimarysLogIsNearlyFull() {
        RingHarness h = new RingHarness(new RingConfig.Params(4, 1_000, 16, 32, 200_000, 5 * SECOND));
        long capacity = 1 << 20;
        // A third log color no replica uses: ballast that keeps the primary's log past three quarters.
        h.logs.set(0, new MemorySharedLog(3, 1 << 20, capacity));
        h.logs.get(0).append(2, List.of(new byte[(int) (capacity * 4 / 5)]));
        h.boot(0);
        for (SubmittedUpdate u : updates(1, 3)) {
            h.submitToAll(u);
            h.run(10_000);
        }
        h.run(2 * SECOND);
        for (int r = 0; r < 4; r++) {
            ReplicaStatus.ColorStatus s = h.replicas.get(r).status().colors().getFirst();
            assertTrue(s.executed() > 3, "replica " + r + " executed the 3 batches and an empty one: " + s.executed());
            assertEquals(s.executed(), s.stable(), "replica " + r + " checkpointed all it executed");
            assertTrue(h.logs.get(r).firstPosition(0) > 0, "replica " + r + " trimmed its log");
        }
    }

    /**
     * A backup whose log is past 31/32 takes no part in ordering, even of updates it holds (it
     * would log a pre-prepare and then prepared and committed records for each batch): the other
     * three order and execute without it, and once a trim gives it room it catches up.
     */
    @Test
    void aBackupPastThirtyOneThirtySecondsOfItsLogOrdersNothingAndCatchesUpOnceItHasRoom() {
        RingHarness h = new RingHarness(new RingConfig.Params(4, 1_000, 16, 32, 200_000, 5 * SECOND));
        long capacity = 1 << 20;
        h.logs.set(1, new MemorySharedLog(3, 1 << 20, capacity));
        h.boot(1);
        List<SubmittedUpdate> us = updates(1, 6);
        h.submitToAll(us.getFirst());
        // Backup 1 logged the update; ballast in a log color no replica uses now keeps its log past
        // 31/32 (until it is trimmed) before the primary's pre-prepare reaches it.
        h.logs.get(1).append(2, List.of(new byte[(int) (capacity * 63 / 64 - h.logs.get(1).bytesUsed())]));
        long logged = h.logs.get(1).nextPosition(0);
        h.run(10_000);
        for (SubmittedUpdate u : us.subList(1, 3)) {
            h.submitToAll(u);
            h.run(10_000);
        }
        h.run(SECOND);
        for (int r : new int[] {0, 2, 3}) {
            assertEquals(3, h.replicas.get(r).status().colors().getFirst().executed(), "replica " + r + " executed");
        }
        for (ostore.ring.log.LogEntry e : h.logs.get(1).read(0, logged, 100)) {
            int type = e.payload()[1];
            // A commit proof state transfer brings (COMMIT_PROOF) is catching up, not ordering.
            assertFalse(type == LogRecords.ACCEPTED || type == LogRecords.PREPARED || type == LogRecords.COMMITTED,
                    "backup 1 logged its own vote on a batch: record type " + type);
        }
        assertTrue(h.replicas.get(1).status().colors().getFirst().executed() < 3,
                "backup 1 cannot run the batches whose updates it had no room to log");
        h.logs.get(1).trim(2, h.logs.get(1).nextPosition(2));
        for (SubmittedUpdate u : us.subList(3, 6)) {
            h.submitToAll(u);
            h.run(10_000);
        }
        h.run(10 * SECOND);
        assertEquals(6, h.replicas.get(1).status().colors().getFirst().executed(), "backup 1 caught up once it had room");
        assertEquals(history(h, 0, Aguid.of(client.publicKey(), "object-0")),
                history(h, 1, Aguid.of(client.publicKey(), "object-0")));
    }

    /**
     * Batches whose result votes were all lost, and that fell below stable checkpoints in a ring
     * that keeps no history below them, are still certified once votes get through: each replica
     * keeps in its history (across a restart too) every batch that left a version of its store
     * uncertified, and votes for it again from there.
     */
    @Test
    void batchesWhoseVotesWereLostAreCertifiedEvenWithNoHistoryKeptBelowCheckpoints() {
        RingHarness h = new RingHarness(new RingConfig.Params(1, 1_000, 2, 8, 200_000, 5 * SECOND, 0));
        h.drop = e -> e.type() == Message.BATCH_RESULT || e.type() == Message.CERTIFICATES;
        // More batches than the watermark window, so the first ones' own votes are forgotten too.
        for (SubmittedUpdate u : updates(1, 14)) {
            h.submitToAll(u);
            h.run(10_000);
        }
        h.run(SECOND);
        for (int r = 0; r < 4; r++) {
            ReplicaStatus s = h.replicas.get(r).status();
            assertEquals(14, s.colors().getFirst().stable(), "replica " + r + " checkpointed past the batches");
            assertEquals(14, s.uncertifiedVersions(), "replica " + r + " certified nothing while votes were lost");
        }
        h.crashAndRestart(2);
        h.drop = e -> false;
        h.run(10 * SECOND);
        for (int r = 0; r < 4; r++) {
            assertEquals(0, h.replicas.get(r).status().uncertifiedVersions(), "replica " + r + " certified every version");
        }
    }

    @Test
    void checkpointsBecomeStableAndTrimTheLog() {
        RingHarness h = new RingHarness(new RingConfig.Params(1, 1_000, 2, 4, 200_000, 5 * SECOND));
        List<SubmittedUpdate> us = updates(2, 4);
        for (SubmittedUpdate u : us) {
            h.submitToAll(u);
            h.run(10_000);
        }
        h.run(SECOND);
        for (int r = 0; r < 4; r++) {
            ReplicaStatus.ColorStatus s = h.replicas.get(r).status().colors().getFirst();
            assertEquals(8, s.executed(), "replica " + r + " executed 8 batches");
            assertEquals(8, s.stable(), "replica " + r + " checkpoint at 8 stable");
            assertTrue(h.logs.get(r).firstPosition(0) > 0, "replica " + r + " trimmed its log");
        }
        assertSameHistories(h, us, 0, 1, 2, 3);
    }

    @Test
    void aSilentPrimaryIsReplacedAndPendingUpdatesExecuteOnce() {
        RingHarness h = new RingHarness(PARAMS);
        List<SubmittedUpdate> before = updates(2, 1);
        before.forEach(h::submitToAll);
        h.run(SECOND);
        h.silent.add(0);
        List<SubmittedUpdate> after = new ArrayList<>();
        for (int o = 0; o < 2; o++) {
            after.add(TestUpdates.append(client, "object-" + o, 2, "after " + o));
        }
        after.forEach(h::submitToAll);
        h.run(10 * SECOND);
        for (int r = 1; r < 4; r++) {
            assertEquals(1, h.replicas.get(r).status().view(), "replica " + r + " moved to view 1");
            assertTrue(h.logs.get(r).firstPosition(1) > 0, "replica " + r + " trimmed its view records below the NEW-VIEW");
        }
        List<SubmittedUpdate> all = new ArrayList<>(before);
        all.addAll(after);
        assertSameHistories(h, all, 1, 2, 3);
    }

    /** A ring whose replica 0, the primary of view 0, is silent while the others move to view 1 without it. */
    private RingHarness ringInView1WithoutReplica0() {
        RingHarness h = new RingHarness(PARAMS);
        h.silent.add(0);
        h.submitToAll(TestUpdates.append(client, "object-0", 1, "in view 1"));
        h.run(20 * SECOND);
        for (int r = 1; r < 4; r++) {
            assertEquals(1, h.replicas.get(r).status().view(), "replica " + r + " entered view 1");
        }
        return h;
    }

    /**
     * A replica that lost its disk after the ring changed views restarts in view 0 and suspects its
     * primary alone; its peers, in a later view, answer the suspicion with the NEW-VIEW they are in,
     * so it joins them instead of suspecting a view nobody else is in for good.
     */
    @Test
    void aReplicaLeftInAnOldViewIsToldTheCurrentOne() {
        RingHarness h = ringInView1WithoutReplica0();
        h.wipeAndRestart(3);
        assertEquals(0, h.replicas.get(3).status().view(), "a wiped replica starts in view 0");
        h.submit(TestUpdates.append(client, "object-1", 1, "to the wiped replica"), 3);
        h.run(10 * SECOND);
        long view = h.replicas.get(1).status().view();
        for (int r = 2; r < 4; r++) {
            assertEquals(view, h.replicas.get(r).status().view(), "replica " + r + " is in the view the others are in");
            assertFalse(h.replicas.get(r).status().viewChanging(), "replica " + r + " is not changing views");
        }
    }

    /**
     * The primary of view 0 misses the whole view change (silent meanwhile) and comes back still
     * in view 0, proposing there. It never suspects itself, so only its peers can tell it: each
     * answers its pre-prepares of a view they left with the NEW-VIEW they are in.
     */
    @Test
    void aPrimaryLeftInAnOldViewIsToldTheCurrentOneWhenItProposes() {
        RingHarness h = ringInView1WithoutReplica0();
        h.silent.clear();
        assertEquals(0, h.replicas.get(0).status().view(), "the old primary is still in view 0");
        SubmittedUpdate toOldPrimary = TestUpdates.append(client, "object-1", 1, "sent to the old primary only");
        h.submit(toOldPrimary, 0);
        h.run(20 * SECOND);
        ReplicaStatus old = h.replicas.get(0).status();
        assertEquals(1, old.view(), "the old primary entered view 1: " + old);
        assertFalse(old.viewChanging());
        assertSameHistories(h, List.of(toOldPrimary), 0, 1, 2, 3);
    }

    /**
     * A replica whose NEW-VIEW is lost, while it sees f+1 peers vote in the view it asked for,
     * keeps asking for that NEW-VIEW instead of moving on alone to the next view, and enters the
     * view once the NEW-VIEW gets through.
     */
    @Test
    void aReplicaThatMissedTheNewViewOfAViewItsPeersVoteInWaitsForIt() {
        RingHarness h = new RingHarness(PARAMS);
        // The primary orders nothing, so the ring leaves view 0; replica 3 never hears that view 1 started.
        h.drop = e -> e.from() == 0 && e.type() == Message.PRE_PREPARE || e.to() == 3 && e.type() == Message.NEW_VIEW;
        h.submitToAll(TestUpdates.append(client, "object-0", 1, "in view 1"));
        h.run(40 * SECOND);
        for (int r = 0; r < 3; r++) {
            assertEquals(1, h.replicas.get(r).status().view(), "replica " + r + " entered view 1");
        }
        assertEquals(1, h.replicas.get(3).status().view(), "replica 3 did not go on alone to a later view");
        h.drop = e -> false;
        List<SubmittedUpdate> later = updates(1, 9).subList(1, 9);
        for (SubmittedUpdate u : later) {
            h.submitToAll(u);
            h.run(2 * SECOND);
        }
        h.run(20 * SECOND);
        for (int r = 0; r < 4; r++) {
            ReplicaStatus s = h.replicas.get(r).status();
            assertFalse(s.viewChanging(), "replica " + r + " is in a view, not changing: " + s);
            assertEquals(1, s.view(), "replica " + r + " is in view 1");
        }
        assertSameHistories(h, later, 0, 1, 2, 3);
    }

    /**
     * A replica cut off from a view change that completed without it asks for the next view alone.
     * Its VIEW-CHANGE is a promise not to vote below that view (PBFT's safety rests on it), so it
     * cannot go back; it keeps executing what the ring commits, learned from commit proofs, and is
     * part of the next view change as soon as the ring needs one.
     */
    @Test
    void aReplicaAloneInALaterViewKeepsExecutingAndJoinsTheNextViewChange() {
        RingHarness h = new RingHarness(PARAMS);
        h.drop = e -> e.from() == 0 && e.type() == Message.PRE_PREPARE
                || e.to() == 3 && e.type() >= Message.PRE_PREPARE && e.type() <= Message.COMMIT
                || e.to() == 3 && e.type() == Message.NEW_VIEW;
        h.submitToAll(TestUpdates.append(client, "object-0", 1, "in view 1"));
        h.run(40 * SECOND);
        assertEquals(1, h.replicas.get(1).status().view(), "the others entered view 1");
        assertTrue(h.replicas.get(3).status().view() > 1, "replica 3 went on alone: " + h.replicas.get(3).status());
        long aloneIn = h.replicas.get(3).status().view();
        h.drop = e -> false;
        List<SubmittedUpdate> later = updates(1, 9).subList(1, 9);
        for (SubmittedUpdate u : later) {
            h.submitToAll(u);
            h.run(2 * SECOND);
        }
        h.run(20 * SECOND);
        ReplicaStatus alone = h.replicas.get(3).status();
        assertEquals(aloneIn, alone.view(), "replica 3 stays in the view it asked for");
        assertEquals(h.replicas.get(1).status().colors().getFirst().executed(), alone.colors().getFirst().executed(),
                "replica 3 executed what the ring committed: " + alone);
        assertSameHistories(h, later, 0, 1, 2, 3);
        // The primary of view 1 fails: the ring needs replica 3, and finds it waiting.
        h.silent.add(1);
        SubmittedUpdate last = updates(1, 10).get(9);
        h.submitToAll(last);
        h.run(40 * SECOND);
        for (int r : new int[] {0, 2, 3}) {
            ReplicaStatus s = h.replicas.get(r).status();
            assertFalse(s.viewChanging(), "replica " + r + " is in a view, not changing: " + s);
        }
        assertSameHistories(h, List.of(last), 0, 2, 3);
    }

    @Test
    void aBackupMissingAPayloadFetchesIt() {
        RingHarness h = new RingHarness(PARAMS);
        List<SubmittedUpdate> us = updates(2, 2);
        for (SubmittedUpdate u : us) {
            h.submit(u, 0, 1, 2);
        }
        h.run(SECOND);
        assertSameHistories(h, us, 0, 1, 2, 3);
    }

    @Test
    void aRestartedReplicaRecoversFromItsLogAndKeepsUp() {
        RingHarness h = new RingHarness(PARAMS);
        List<SubmittedUpdate> us = updates(2, 3);
        us.subList(0, 3).forEach(h::submitToAll);
        h.run(SECOND);
        h.crashAndRestart(2);
        us.subList(3, 6).forEach(h::submitToAll);
        h.run(SECOND);
        assertSameHistories(h, us, 0, 1, 2, 3);
    }

    @Test
    void aReplicaWhoseStoreRanAheadOfItsExecutedRecordsRecovers() {
        RingHarness h = new RingHarness(PARAMS);
        List<SubmittedUpdate> us = updates(2, 3);
        us.subList(0, 3).forEach(h::submitToAll);
        h.run(SECOND);
        h.killLosingExecutedRecords(2);
        us.subList(3, 6).forEach(h::submitToAll);
        h.run(SECOND);
        assertSameHistories(h, us, 0, 1, 2, 3);
    }

    @Test
    void aReplicaWhoseLogLostCommittedBatchesPayloadsFetchesThem() {
        RingHarness h = new RingHarness(PARAMS);
        List<SubmittedUpdate> us = updates(2, 3);
        us.subList(0, 3).forEach(h::submitToAll);
        h.run(SECOND);
        h.crashLosingPayloadRecords(2);
        us.subList(3, 6).forEach(h::submitToAll);
        h.run(10 * SECOND);
        assertSameHistories(h, us, 0, 1, 2, 3);
    }
}
