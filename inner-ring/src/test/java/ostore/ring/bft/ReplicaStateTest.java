package ostore.ring.bft;

import static ostore.ring.bft.RingHarness.PARAMS;
import static ostore.ring.bft.RingHarness.hash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ostore.ring.bft.Message.PrePrepare;
import org.junit.jupiter.api.Test;

/** The replica's state changes only through transitions that check their preconditions, and its invariants run after every event. */
class ReplicaStateTest {
    @Test
    void viewsOnlyMoveForward() {
        ReplicaState state = new RingHarness(PARAMS).replicas.get(1).state;
        assertEquals(ReplicaState.Status.NORMAL, state.status());
        assertThrows(SafetyViolation.class, () -> state.enterView(0), "no NEW-VIEW for the view it is in, unasked");
        state.startViewChange(1);
        assertTrue(state.viewChanging());
        SafetyViolation again = assertThrows(SafetyViolation.class, () -> state.startViewChange(1));
        assertTrue(again.getMessage().contains("views only move forward"), again.getMessage());
        assertThrows(SafetyViolation.class, () -> state.startViewChange(0));
        state.enterView(1);
        assertEquals(ReplicaState.Status.NORMAL, state.status());
        assertEquals(1, state.view());
        assertThrows(SafetyViolation.class, () -> state.enterView(0));
    }

    @Test
    void nothingHappensBeforeRecovery() {
        RingHarness h = new RingHarness(PARAMS);
        ReplicaState fresh = new ReplicaState(h.config, 0);
        assertEquals(ReplicaState.Status.RECOVERING, fresh.status());
        assertThrows(SafetyViolation.class, fresh::invariants);
        assertThrows(SafetyViolation.class, () -> fresh.startViewChange(1));
        fresh.recovered(3, true);
        assertEquals(3, fresh.view());
        assertTrue(fresh.viewChanging());
        assertThrows(SafetyViolation.class, () -> fresh.recovered(4, false), "recovers once");
        fresh.invariants();
    }

    @Test
    void laneTransitionsCheckTheirPreconditions() {
        Lane lane = new RingHarness(PARAMS).replicas.get(1).state.lane(0);
        assertThrows(SafetyViolation.class, () -> lane.slot(0), "no slot at or below the stable checkpoint");
        assertThrows(SafetyViolation.class, () -> lane.startExecuting(2), "batches execute in seqno order");
        lane.startExecuting(1);
        assertThrows(SafetyViolation.class, () -> lane.startExecuting(1), "one batch of a color at a time");
        lane.finishedExecuting(1);
        PrePrepare batch = new PrePrepare(0, 0, 1, 1, List.of(hash(1)));
        SafetyViolation chain = assertThrows(SafetyViolation.class,
                () -> lane.executedBatch(batch, hash(2), hash(3), 0, 4, Lane.CHECKPOINT_BYTES, 1));
        assertTrue(chain.getMessage().contains("does not chain"), chain.getMessage());
        lane.executedBatch(batch, hash(2), StateChain.chain(lane.stateDigest(), batch, hash(2)), 0, 4, Lane.CHECKPOINT_BYTES, 1);
        assertEquals(1, lane.executed());
        lane.makeStable(1, lane.stateDigest(), List.of());
        assertThrows(SafetyViolation.class, () -> lane.makeStable(1, lane.stateDigest(), List.of()),
                "stable checkpoints only move forward");
        assertThrows(SafetyViolation.class, () -> lane.deferStable(2, hash(1), List.of()), "batch 2 is not committed");
    }

    @Test
    void aBrokenInvariantStopsTheReplicaAtTheNextEvent() {
        RingHarness h = new RingHarness(PARAMS);
        Replica backup = h.replicas.get(1);
        backup.onDurable();
        // Only the primary of a view it orders in queues digests for a batch.
        backup.state.lane(0).proposals().enqueue(hash(7));
        SafetyViolation v = assertThrows(SafetyViolation.class, backup::onDurable);
        assertTrue(v.getMessage().contains("queues 1 digests"), v.getMessage());
    }
}
