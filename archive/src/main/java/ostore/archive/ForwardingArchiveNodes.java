package ostore.archive;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import ostore.crypto.Hash32;

/**
 * Storage nodes that pass every call on to other ones: a base for wrappers that change a few calls
 * (a benchmark switching nodes off, a test delaying or breaking fetches), so each overrides only
 * those and the rest, {@code putNamed} and {@code getUnverified} included, keep the wrapped
 * nodes' behaviour rather than the interface's defaults.
 */
public abstract class ForwardingArchiveNodes implements ArchiveNodes {
    private final ArchiveNodes delegate;

    protected ForwardingArchiveNodes(ArchiveNodes delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    protected final ArchiveNodes delegate() {
        return delegate;
    }

    @Override
    public int count() {
        return delegate.count();
    }

    @Override
    public boolean put(int node, Hash32 name, byte[] bytes) throws IOException {
        return delegate.put(node, name, bytes);
    }

    @Override
    public Hash32 putNamed(int node, byte[] bytes) throws IOException {
        return delegate.putNamed(node, bytes);
    }

    @Override
    public Optional<byte[]> get(int node, Hash32 name) throws IOException {
        return delegate.get(node, name);
    }

    @Override
    public Optional<byte[]> getUnverified(int node, Hash32 name) throws IOException {
        return delegate.getUnverified(node, name);
    }

    @Override
    public boolean has(int node, Hash32 name) throws IOException {
        return delegate.has(node, name);
    }

    @Override
    public boolean addIndex(int node, Hash32 key, byte[] value) throws IOException {
        return delegate.addIndex(node, key, value);
    }

    @Override
    public List<byte[]> index(int node, Hash32 key) throws IOException {
        return delegate.index(node, key);
    }
}
