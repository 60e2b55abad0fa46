package ostore.ring.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.ResultLeaf;
import ostore.store.HistoryEntry;

/**
 * Per-object linearizability of version streams, checked against the clients' records. Every
 * acknowledged commit or abort appears exactly once in its object's history, with the seq and
 * VGUID the client accepted; an acknowledged rejection appears not at all; if one update was
 * acknowledged before another was invoked, it comes first in the history; and what a client
 * observes of an object (the seq of each result) never goes back.
 *
 * <p>The history checked is the longest one among correct replicas; {@link AgreementChecker}
 * has already shown that the others are prefixes of it.
 */
final class LinearizabilityChecker {
    private final long seed;

    LinearizabilityChecker(long seed) {
        this.seed = seed;
    }

    void check(List<ClientOp> ops, Map<Aguid, List<HistoryEntry>> longestHistories, long step) {
        Map<Aguid, List<ClientOp>> byObject = new TreeMap<>();
        for (ClientOp op : ops) {
            byObject.computeIfAbsent(op.aguid, a -> new ArrayList<>()).add(op);
        }
        for (var object : byObject.entrySet()) {
            List<HistoryEntry> history = longestHistories.getOrDefault(object.getKey(), List.of());
            Map<Hash32, Integer> indexOf = indexHistory(object.getKey(), history, step);
            List<ClientOp> acked = new ArrayList<>();
            for (ClientOp op : object.getValue()) {
                if (op.done()) {
                    checkAcknowledged(op, history, indexOf, step);
                    if (op.result().orElseThrow().outcome() != ResultLeaf.REJECTED) {
                        acked.add(op);
                    }
                }
            }
            checkRealTimeOrder(acked, indexOf, step);
        }
        checkClientsNeverGoBack(ops, step);
    }

    private Map<Hash32, Integer> indexHistory(Aguid aguid, List<HistoryEntry> history, long step) {
        Map<Hash32, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < history.size(); i++) {
            if (indexOf.put(history.get(i).updateDigest(), i) != null) {
                throw new SimulationFailure("linearizability (exactly once)", seed, step, "update "
                        + history.get(i).updateDigest().shortHex() + " appears twice in the history of "
                        + aguid.hash().shortHex());
            }
        }
        return indexOf;
    }

    private void checkAcknowledged(ClientOp op, List<HistoryEntry> history, Map<Hash32, Integer> indexOf, long step) {
        ResultLeaf r = op.result().orElseThrow();
        Integer at = indexOf.get(op.digest);
        if (r.outcome() == ResultLeaf.REJECTED) {
            if (at != null) {
                throw new SimulationFailure("linearizability", seed, step, op + " was acknowledged as rejected but "
                        + "executed: " + history.get(at));
            }
            return;
        }
        if (at == null) {
            throw new SimulationFailure("linearizability (acknowledged update lost)", seed, step, op
                    + " is missing from the object's history of " + history.size() + " entries");
        }
        HistoryEntry h = history.get(at);
        boolean committed = r.outcome() == ResultLeaf.COMMITTED;
        boolean vguidMatches = committed ? h.vguid().map(v -> v.hash().equals(r.vguid())).orElse(false)
                : h.vguid().isEmpty();
        if (h.committed() != committed || h.seq() != r.seq() || !vguidMatches) {
            throw new SimulationFailure("linearizability (acknowledged result differs)", seed, step, op
                    + " but the history holds " + h);
        }
    }

    /** Sweep in invocation order, keeping the latest history index among ops acknowledged so far. */
    private void checkRealTimeOrder(List<ClientOp> acked, Map<Hash32, Integer> indexOf, long step) {
        List<ClientOp> byResponse = new ArrayList<>(acked);
        byResponse.sort(Comparator.comparingLong(ClientOp::respondedMicros));
        List<ClientOp> byInvocation = new ArrayList<>(acked);
        byInvocation.sort(Comparator.comparingLong(op -> op.invokedMicros));
        int next = 0;
        ClientOp latestBefore = null;
        for (ClientOp b : byInvocation) {
            while (next < byResponse.size() && byResponse.get(next).respondedMicros() < b.invokedMicros) {
                ClientOp a = byResponse.get(next++);
                if (latestBefore == null || indexOf.get(a.digest) > indexOf.get(latestBefore.digest)) {
                    latestBefore = a;
                }
            }
            if (latestBefore != null && indexOf.get(latestBefore.digest) > indexOf.get(b.digest)) {
                throw new SimulationFailure("linearizability (real-time order)", seed, step, latestBefore
                        + " was acknowledged before " + b + " was invoked, yet comes later in the history (index "
                        + indexOf.get(latestBefore.digest) + " > " + indexOf.get(b.digest) + ")");
            }
        }
    }

    /** Each client's view of an object: the seq in its results, in the order it got them. */
    private void checkClientsNeverGoBack(List<ClientOp> ops, long step) {
        Map<String, ClientOp> lastSeen = new HashMap<>();
        List<ClientOp> done = new ArrayList<>(ops.stream().filter(ClientOp::done).toList());
        done.sort(Comparator.comparingLong(ClientOp::respondedMicros));
        for (ClientOp op : done) {
            ResultLeaf r = op.result().orElseThrow();
            if (r.outcome() == ResultLeaf.REJECTED) {
                continue;
            }
            ClientOp before = lastSeen.put(op.client + "/" + op.aguid, op);
            if (before != null && before.result().orElseThrow().seq() > r.seq()) {
                throw new SimulationFailure("linearizability (reads go back)", seed, step, "client " + op.client
                        + " saw seq " + before.result().orElseThrow().seq() + " in " + before + ", then seq "
                        + r.seq() + " in " + op);
            }
        }
    }
}
