package ostore.ring.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import ostore.ring.Clock;
import ostore.ring.runtime.ReplicaLoop;
import ostore.store.Limits;
import ostore.store.memory.MemoryVersionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A frame from the network is queued, or dropped with the reason in words (what the transport logs). */
@Timeout(60)
class ReplicaLoopReceiveTest {
    private final RingHarness h = new RingHarness(RingHarness.PARAMS);
    private final int id = 1;

    private ReplicaLoop start() {
        return ReplicaLoop.start(h.config, id, Clock.SYSTEM, (to, frame) -> { }, (digest, reply, outcome) -> { },
                ReplicaLoop.DEFAULT_INBOX_CAPACITY, env -> new Replica(h.config, id, h.keys.get(id),
                        new MemorySharedLog(2), new MemoryVersionStore(Limits.DEFAULT), TestUpdates.VERIFIER, env));
    }

    private byte[] checkpointVoteFrom(int sender) {
        return Frames.encode(new Message.Checkpoint(0, 2, RingHarness.hash(1), RingHarness.hash(2)), sender,
                RingHarness.key(sender));
    }

    @Test
    void aPeersFrameIsQueuedAndOneSignedByTheReplicaItselfOrSentToAStoppedOneIsDroppedSayingWhy() {
        ReplicaLoop loop = start();
        try {
            assertEquals(Optional.empty(), loop.receive(checkpointVoteFrom(0)));
            Optional<String> own = loop.receive(checkpointVoteFrom(id));
            assertTrue(own.orElseThrow().contains("signed by replica 1 itself"), own.toString());
        } finally {
            loop.close();
        }
        Optional<String> stopped = loop.receive(checkpointVoteFrom(0));
        assertTrue(stopped.orElseThrow().contains("replica 1 is stopped"), stopped.toString());
    }
}
