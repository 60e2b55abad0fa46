package ostore.ring.sim;

import ostore.crypto.Hash32;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Outcome;

/**
 * One call of {@code VersionStore.apply} by a replica, as observed under the replica (the
 * replica cannot lie to the simulator about what it executed).
 *
 * @param replica the replica id; {@code instance} tells Twins apart and counts restarts
 * @param effect what the store did, in a form comparable across replicas
 */
record Executed(int replica, String instance, int color, long logPosition, long timestampMicros,
        AuthenticatedUpdate update, Effect effect) {

    Hash32 digest() {
        return update.digest();
    }

    /** An outcome reduced to what must be identical on every correct replica. */
    record Effect(String kind, long seq, String vguid) {
        static Effect of(Outcome o) {
            return switch (o) {
                case Outcome.Committed c -> new Effect("committed", c.version().root().seq(), c.version().vguid().toHex());
                case Outcome.Aborted a -> new Effect("aborted", a.latest().map(v -> v.root().seq()).orElse(0L), "");
                case Outcome.Rejected r -> new Effect("rejected:" + r.reason(), 0, "");
            };
        }
    }

    @Override
    public String toString() {
        return "replica " + replica + " (" + instance + ") executed " + update.digest().shortHex() + " at color "
                + color + " position " + logPosition + " ts " + timestampMicros + " -> " + effect;
    }
}
