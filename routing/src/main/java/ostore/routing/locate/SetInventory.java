package ostore.routing.locate;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Consumer;
import ostore.crypto.Hash32;

/**
 * An {@link Inventory} that is just a set of GUIDs, safe to change while a routing server's
 * handlers read it: for drivers and tests that stand in for a node's stores. Iterates in GUID order.
 */
public final class SetInventory implements Inventory {
    private final Set<Hash32> guids = new ConcurrentSkipListSet<>();

    public void add(Hash32 guid) {
        guids.add(guid);
    }

    public void addAll(Collection<Hash32> more) {
        guids.addAll(more);
    }

    public void remove(Hash32 guid) {
        guids.remove(guid);
    }

    public int size() {
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
