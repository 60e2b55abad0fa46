package ostore.routing.locate;

import java.util.function.Consumer;
import ostore.crypto.Hash32;

/**
 * What a node really holds: the authority a filter summarizes and a probe consults. In a node it
 * is backed by the fragment store and the version store; in the simulator by a set. The routing
 * layer only reads it.
 */
public interface Inventory {
    boolean holds(Hash32 guid);

    /** Every GUID held, in any order; used to rebuild the node's filter and to republish. */
    void forEach(Consumer<Hash32> action);
}
