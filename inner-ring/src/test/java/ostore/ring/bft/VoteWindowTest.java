package ostore.ring.bft;

import static ostore.ring.bft.RingHarness.PARAMS;
import static ostore.ring.bft.RingHarness.hash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ostore.crypto.ResultStatement;
import ostore.ring.bft.Message.BatchResult;
import ostore.ring.bft.Message.Checkpoint;
import org.junit.jupiter.api.Test;

/** Validly signed votes far above the watermark window are not kept: a faulty peer cannot fill memory. */
class VoteWindowTest {
    private static Signed<BatchResult> result(RingHarness h, int from, long seqno, int root) {
        return Frames.sign(new BatchResult(new ResultStatement(h.config.epoch(), 0, seqno, hash(root))), from,
                h.keys.get(from));
    }

    @Test
    void batchResultVotesOutsideTheWindowAreDropped() {
        RingHarness h = new RingHarness(PARAMS);
        Replica r = h.replicas.get(0);
        assertEquals(0, r.retainedResultVotes());
        r.onMessage(result(h, 3, 1_000_000_000L, 1));
        r.onMessage(result(h, 3, PARAMS.watermarkWindow() + 1, 1));
        assertEquals(0, r.retainedResultVotes(), "votes above the window are not kept");
        r.onMessage(result(h, 3, 2, 1));
        assertEquals(1, r.retainedResultVotes(), "a vote inside the window is kept");
        r.onMessage(result(h, 3, 2, 2));
        assertEquals(1, r.retainedResultVotes(), "one vote per sender and batch");
    }

    @Test
    void checkpointVotesOutsideTheWindowAreDropped() {
        RingHarness h = new RingHarness(PARAMS);
        Replica r = h.replicas.get(0);
        Lane lane = r.state.lane(0);
        r.onMessage(Frames.sign(new Checkpoint(0, 1_000_000_000L, hash(1), hash(1)), 3, h.keys.get(3)));
        r.onMessage(Frames.sign(new Checkpoint(0, PARAMS.watermarkWindow() + 2, hash(1), hash(1)), 3, h.keys.get(3)));
        r.onMessage(Frames.sign(new Checkpoint(5, 2, hash(1), hash(1)), 3, h.keys.get(3)));
        assertTrue(lane.checkpointVoteSeqnos().isEmpty(), "checkpoint votes above the window are not kept");
        r.onMessage(Frames.sign(new Checkpoint(0, 2, hash(1), hash(1)), 3, h.keys.get(3)));
        r.onMessage(Frames.sign(new Checkpoint(0, 2, hash(2), hash(2)), 3, h.keys.get(3)));
        assertEquals(1, lane.checkpointVoteSeqnos().size());
        assertNotNull(lane.checkpointVote(2, new Checkpoint(0, 2, hash(1), hash(1)).digest(), 3));
        assertNull(lane.checkpointVote(2, new Checkpoint(0, 2, hash(2), hash(2)).digest(), 3),
                "a sender that voted starts no second digest at the same seqno");
    }

    @Test
    void anEquivocatingPeerCountsWhereItsSignatureAgreesWithOthers() {
        RingHarness h = new RingHarness(PARAMS);
        Lane lane = h.replicas.get(0).state.lane(0);
        Checkpoint honest = new Checkpoint(0, 2, hash(1), hash(1));
        Checkpoint other = new Checkpoint(0, 2, hash(2), hash(2));
        int quorum = h.config.quorum();
        assertNull(lane.addCheckpointVote(Frames.sign(other, 3, h.keys.get(3)), quorum), "peer 3 tells this replica one thing");
        assertNull(lane.addCheckpointVote(Frames.sign(honest, 1, h.keys.get(1)), quorum));
        assertNull(lane.addCheckpointVote(Frames.sign(honest, 2, h.keys.get(2)), quorum));
        assertNull(lane.addCheckpointVote(Frames.sign(new Checkpoint(0, 2, hash(3), hash(3)), 3, h.keys.get(3)), quorum),
                "nor may it start a third digest");
        // Its vote for what 1 and 2 signed, relayed in a stable proof another replica holds, completes the quorum.
        var proof = lane.addCheckpointVote(Frames.sign(honest, 3, h.keys.get(3)), quorum);
        assertNotNull(proof, "2f+1 distinct signers of one digest make it stable");
        assertEquals(java.util.List.of(1, 2, 3), proof.stream().map(Signed::sender).toList());
        assertTrue(proof.stream().allMatch(v -> v.message().digest().equals(honest.digest())));
    }
}
