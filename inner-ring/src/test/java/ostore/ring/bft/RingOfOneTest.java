package ostore.ring.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.store.HistoryEntry;
import org.junit.jupiter.api.Test;

/**
 * The replica core as a ring of one (n = 1, f = 0): the single node's ordering stack. Its own
 * votes are every quorum, so it orders, executes, certifies and checkpoints alone, and recovers
 * from its log after a crash as any replica does.
 */
class RingOfOneTest {
    private static final long SECOND = 1_000_000;
    private static final RingConfig.Params PARAMS = new RingConfig.Params(4, 1_000, 2, 4, 200_000, 5 * SECOND);
    private final SigningKey client = SigningKey.fromSeed(new byte[32]);

    private static RingHarness ringOfOne() {
        return new RingHarness(PARAMS, StateServer.PAGE_BYTES, 1, 0);
    }

    private List<SubmittedUpdate> updates(int count) {
        List<SubmittedUpdate> out = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            out.add(TestUpdates.append(client, "object", n, "data " + n));
        }
        return out;
    }

    private static List<HistoryEntry> history(RingHarness h, SubmittedUpdate u) {
        return h.stores.getFirst().history(u.decoded().update().aguid(), 0, 0);
    }

    @Test
    void aRingOfOneOrdersExecutesCertifiesAndCheckpointsAlone() {
        RingHarness h = ringOfOne();
        assertEquals(1, h.config.n());
        List<SubmittedUpdate> us = updates(9);
        for (SubmittedUpdate u : us) {
            h.submitToAll(u);
            h.run(10_000);
        }
        h.run(SECOND);
        Replica r = h.replicas.getFirst();
        ReplicaStatus s = r.status();
        assertFalse(s.viewChanging());
        assertEquals(0, s.view(), "nobody to suspect it");
        assertEquals(9, history(h, us.getLast()).size(), "every update executed, in order");
        assertTrue(s.colors().getFirst().stable() >= 8, "checkpoints become stable on its own vote: " + s.colors());
        assertTrue(h.logs.getFirst().firstPosition(0) > 0, "and trim the log");
        assertEquals(0, s.uncertifiedVersions(), "every version certified by its one signature");
        assertEquals(9, h.replies.getFirst().size(), "every client answered");
    }

    @Test
    void aRingOfOneRecoversWhatItAcknowledgedAfterACrash() {
        RingHarness h = ringOfOne();
        List<SubmittedUpdate> us = updates(5);
        for (SubmittedUpdate u : us) {
            h.submitToAll(u);
            h.run(10_000);
        }
        List<HistoryEntry> before = history(h, us.getLast());
        h.crashAndRestart(0);
        h.run(SECOND);
        assertEquals(before, history(h, us.getLast()), "the same history after the crash");
        SubmittedUpdate more = TestUpdates.append(client, "object", 6, "after the crash");
        h.submitToAll(more);
        h.run(SECOND);
        assertEquals(6, history(h, more).size(), "and it goes on ordering");
        assertEquals(0, h.replicas.getFirst().status().uncertifiedVersions());
    }
}
