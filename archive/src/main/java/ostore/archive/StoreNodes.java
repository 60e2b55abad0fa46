package ostore.archive;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import ostore.archive.store.FragmentStore;
import ostore.crypto.Hash32;

/** {@link ArchiveNodes} over fragment stores in this process: node i is {@code stores.get(i)}. */
public final class StoreNodes implements ArchiveNodes {
    private final List<FragmentStore> stores;

    public StoreNodes(List<? extends FragmentStore> stores) {
        this.stores = List.copyOf(stores);
        if (this.stores.isEmpty()) {
            throw new IllegalArgumentException("at least one fragment store is needed");
        }
    }

    @Override
    public int count() {
        return stores.size();
    }

    @Override
    public boolean put(int node, Hash32 name, byte[] bytes) throws IOException {
        return store(node).put(name, bytes);
    }

    @Override
    public Hash32 putNamed(int node, byte[] bytes) throws IOException {
        return store(node).putNamed(bytes);
    }

    @Override
    public Optional<byte[]> get(int node, Hash32 name) throws IOException {
        return store(node).get(name);
    }

    @Override
    public Optional<byte[]> getUnverified(int node, Hash32 name) throws IOException {
        return store(node).getUnverified(name);
    }

    @Override
    public boolean has(int node, Hash32 name) throws IOException {
        return store(node).has(name);
    }

    @Override
    public boolean addIndex(int node, Hash32 key, byte[] value) throws IOException {
        return store(node).addIndex(key, value);
    }

    @Override
    public List<byte[]> index(int node, Hash32 key) throws IOException {
        return store(node).index(key);
    }

    private FragmentStore store(int node) {
        Objects.checkIndex(node, stores.size());
        return stores.get(node);
    }
}
