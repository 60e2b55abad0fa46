package ostore.ring.sim;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import ostore.crypto.Aguid;
import ostore.store.HistoryEntry;

/**
 * Liveness, checked once faults are at most f and the network has healed and a bounded quiet
 * period has passed: every client request has completed, and every correct replica has caught up
 * to the same history for every object (state transfer and retransmission did their work), and
 * every version a correct replica stores has its certificate there.
 */
final class LivenessChecker {
    private final long seed;

    LivenessChecker(long seed) {
        this.seed = seed;
    }

    void checkRequestsComplete(List<ClientOp> ops, long quietMicros, long step) {
        List<ClientOp> pending = ops.stream().filter(op -> !op.done()).toList();
        if (!pending.isEmpty()) {
            throw new SimulationFailure("liveness", seed, step, pending.size() + " of " + ops.size()
                    + " requests still pending " + quietMicros + " us after the network healed; first: "
                    + pending.getFirst());
        }
    }

    /**
     * Every version a correct replica stores has its 2f+1 certificate there once faults stopped:
     * acknowledged data is readable, verified, from every correct replica.
     */
    void checkEveryVersionCertified(SortedMap<Integer, Long> uncertified, long waitedMicros, long step) {
        if (!uncertified.isEmpty()) {
            throw new SimulationFailure("liveness (certificates)", seed, step, "versions without a certificate "
                    + waitedMicros + " us after the run settled, by correct replica: " + uncertified);
        }
    }

    /** With only clients at fault, no correct replica ever left view 0: nothing a client does moves one. */
    void checkNoViewChange(SortedMap<Integer, Long> views, long step) {
        if (views.values().stream().anyMatch(v -> v != 0)) {
            throw new SimulationFailure("a client moved a replica", seed, step, "no replica was faulty, yet the"
                    + " correct replicas' views are " + views + " (replica id to view)");
        }
    }

    void checkReplicasCaughtUp(SortedMap<Integer, Map<Aguid, List<HistoryEntry>>> histories, List<Aguid> objects,
            long step) {
        for (Aguid aguid : objects) {
            int expected = -1;
            int expectedOwner = -1;
            for (var r : histories.entrySet()) {
                int size = r.getValue().getOrDefault(aguid, List.of()).size();
                if (expected < 0) {
                    expected = size;
                    expectedOwner = r.getKey();
                } else if (size != expected) {
                    throw new SimulationFailure("liveness (catch-up)", seed, step, "object " + aguid.hash().shortHex()
                            + " has " + size + " history entries on replica " + r.getKey() + " but " + expected
                            + " on replica " + expectedOwner + " after the quiet period");
                }
            }
        }
    }
}
