package ostore.routing.sim;

import java.util.TreeSet;
import java.util.function.Consumer;
import ostore.crypto.Hash32;
import ostore.routing.locate.Inventory;

/** A simulated node's holdings: a sorted set, so rebuilds and republishes run in one order. */
final class SimInventory implements Inventory {
    private final TreeSet<Hash32> guids = new TreeSet<>();

    void add(Hash32 guid) {
        guids.add(guid);
    }

    void remove(Hash32 guid) {
        guids.remove(guid);
    }

    int size() {
        return guids.size();
    }

    @Override
    public boolean holds(Hash32 guid) {
        return guids.contains(guid);
    }

    @Override
    public void forEach(Consumer<Hash32> action) {
        guids.forEach(action);
    }
}
