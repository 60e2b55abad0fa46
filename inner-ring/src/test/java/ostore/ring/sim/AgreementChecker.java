package ostore.ring.sim;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import ostore.crypto.Aguid;
import ostore.store.HistoryEntry;

/**
 * Agreement and deterministic execution among correct replicas. After every execution: no two
 * correct replicas execute different updates, or get different results (seq, VGUID), at the same
 * (color, position). At the end: every object's history on one correct replica is a prefix of its
 * history on another, so the VGUID for each (aguid, seq) is the same everywhere.
 */
final class AgreementChecker {
    private final long seed;
    /** Only looked up, never iterated, so hash order cannot leak into the run. */
    private final Map<String, Executed> firstAtPosition = new HashMap<>();

    AgreementChecker(long seed) {
        this.seed = seed;
    }

    void onExecuted(Executed e, long step) {
        String key = e.color() + ":" + e.logPosition();
        Executed first = firstAtPosition.putIfAbsent(key, e);
        if (first == null) {
            return;
        }
        if (!first.digest().equals(e.digest())) {
            throw new SimulationFailure("agreement", seed, step, "different updates at color " + e.color()
                    + " position " + e.logPosition() + ": " + first + " but " + e);
        }
        if (first.timestampMicros() != e.timestampMicros() || !first.effect().equals(e.effect())) {
            throw new SimulationFailure("deterministic execution", seed, step, "the same update at color "
                    + e.color() + " position " + e.logPosition() + " gave " + first + " but " + e);
        }
    }

    /** @param histories per correct replica id, per object, its history at the end of the run */
    void checkHistories(SortedMap<Integer, Map<Aguid, List<HistoryEntry>>> histories, List<Aguid> objects, long step) {
        for (Aguid aguid : objects) {
            Integer longestOwner = null;
            List<HistoryEntry> longest = List.of();
            for (var r : histories.entrySet()) {
                List<HistoryEntry> h = r.getValue().getOrDefault(aguid, List.of());
                if (h.size() > longest.size()) {
                    longest = h;
                    longestOwner = r.getKey();
                }
            }
            for (var r : histories.entrySet()) {
                List<HistoryEntry> h = r.getValue().getOrDefault(aguid, List.of());
                for (int i = 0; i < h.size(); i++) {
                    if (!sameEntry(h.get(i), longest.get(i))) {
                        throw new SimulationFailure("agreement (object history)", seed, step, "object "
                                + aguid.hash().shortHex() + " history index " + i + " is " + h.get(i) + " on replica "
                                + r.getKey() + " but " + longest.get(i) + " on replica " + longestOwner);
                    }
                }
            }
        }
    }

    /** Everything a correct replica must reproduce byte for byte: the update, its result and its time. */
    private static boolean sameEntry(HistoryEntry a, HistoryEntry b) {
        return a.index() == b.index() && a.committed() == b.committed() && a.updateDigest().equals(b.updateDigest())
                && a.seq() == b.seq() && a.vguid().equals(b.vguid()) && a.timestampMicros() == b.timestampMicros()
                && a.clauseIndex() == b.clauseIndex() && a.abortReason().equals(b.abortReason());
    }
}
