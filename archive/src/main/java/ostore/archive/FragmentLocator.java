package ostore.archive;

import java.util.function.IntPredicate;
import ostore.crypto.Hash32;

/**
 * Where else an archive object might be, for a reader whose placed node did not give it: the node
 * went down, came back wiped, or a repair re-homed the fragment to another node (the manifest's
 * placement is certified and never rewritten, so it cannot say so). The archive module only asks;
 * the node module answers through the storage nodes' routing layer (attenuated Bloom filters, then
 * rendezvous pointers), which this module does not depend on.
 *
 * <p>An answer is a hint, never trusted: whatever the named node returns goes through exactly the
 * checks a placed node's answer does (hash against the manifest's name, fragment header), so a
 * wrong or lying locator costs a request, never a wrong byte. {@link #NONE} knows nothing, and a
 * reader then asks every node in turn, as it always may.
 */
@FunctionalInterface
public interface FragmentLocator {
    /** Knows nothing: every lookup finds no holder. */
    FragmentLocator NONE = (name, down) -> Lookup.NOT_FOUND;

    /**
     * Looks for a node that holds {@code name}. Must not throw for anything the network or the
     * nodes do (a failed lookup is {@link Lookup#NOT_FOUND}); an unchecked exception is treated
     * as such and logged by the caller.
     *
     * @param down storage nodes (by archive number) this call already found down: not worth
     *     asking to run the lookup
     */
    Lookup locate(Hash32 name, IntPredicate down);

    /**
     * What one lookup gave.
     *
     * @param holder the storage node (its archive number, the one placement uses) the lookup found
     *     holding the name, or -1
     * @param usedFallback the filters led nowhere and the deterministic fallback (rendezvous
     *     pointers) was asked, whether or not it found a holder
     */
    record Lookup(int holder, boolean usedFallback) {
        /** No holder found, without the fallback (or the lookup could not run). */
        public static final Lookup NOT_FOUND = new Lookup(-1, false);

        public Lookup {
            if (holder < -1) {
                throw new IllegalArgumentException("holder (" + holder + ") must be a node number or -1");
            }
        }

        public boolean found() {
            return holder >= 0;
        }
    }
}
