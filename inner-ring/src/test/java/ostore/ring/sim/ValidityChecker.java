package ostore.ring.sim;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.ring.SubmittedUpdate;
import ostore.store.HistoryEntry;

/**
 * Validity: a correct replica executes only updates some client signed, exactly as signed, and
 * each at most once. Every update a client creates is registered here first, so anything else a
 * replica executes (an invented digest, a forged or altered body) is caught at once.
 */
final class ValidityChecker {
    private final long seed;
    /** Only looked up, never iterated. */
    private final Map<Hash32, SubmittedUpdate> signedByClients = new HashMap<>();

    ValidityChecker(long seed) {
        this.seed = seed;
    }

    void registerSigned(SubmittedUpdate u) {
        signedByClients.put(u.decoded().digest(), u);
    }

    void onExecuted(Executed e, long step) {
        SubmittedUpdate signed = signedByClients.get(e.digest());
        if (signed == null) {
            throw new SimulationFailure("validity", seed, step, "no client signed the update " + e);
        }
        if (!signed.decoded().equals(e.update())) {
            throw new SimulationFailure("validity", seed, step, "the executed update differs from what its writer signed: "
                    + e + " executed " + e.update() + " but the client signed " + signed.decoded());
        }
    }

    /** At most once: no digest appears twice in an object's history on any correct replica. */
    void checkHistories(SortedMap<Integer, Map<Aguid, List<HistoryEntry>>> histories, long step) {
        for (var r : histories.entrySet()) {
            for (var object : r.getValue().entrySet()) {
                Set<Hash32> seen = new HashSet<>();
                for (HistoryEntry h : object.getValue()) {
                    if (!seen.add(h.updateDigest())) {
                        throw new SimulationFailure("validity (at most once)", seed, step, "replica " + r.getKey()
                                + " executed update " + h.updateDigest().shortHex() + " twice on object "
                                + object.getKey().hash().shortHex() + "; second time: " + h);
                    }
                    if (!signedByClients.containsKey(h.updateDigest())) {
                        throw new SimulationFailure("validity", seed, step, "replica " + r.getKey()
                                + " has history from an update no client signed: " + h);
                    }
                }
            }
        }
    }
}
