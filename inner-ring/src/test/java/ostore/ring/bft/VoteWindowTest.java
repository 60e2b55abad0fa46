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
                "one checkpoint vote per sender and seqno");
    }
}
