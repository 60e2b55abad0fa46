package ostore.bench;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import ostore.archive.ArchiveNodes;
import ostore.archive.ForwardingArchiveNodes;
import ostore.crypto.Hash32;

/** Nodes in {@code down} answer every call with an {@link IOException}, as an unreachable node does. */
final class SwitchableNodes extends ForwardingArchiveNodes {
    private final Set<Integer> down;

    SwitchableNodes(ArchiveNodes delegate, Set<Integer> down) {
        super(delegate);
        this.down = down;
    }

    private void check(int node) throws IOException {
        if (down.contains(node)) {
            throw new IOException("storage node " + node + " is down (benchmark)");
        }
    }

    @Override
    public boolean put(int node, Hash32 name, byte[] bytes) throws IOException {
        check(node);
        return super.put(node, name, bytes);
    }

    @Override
    public Hash32 putNamed(int node, byte[] bytes) throws IOException {
        check(node);
        return super.putNamed(node, bytes);
    }

    @Override
    public Optional<byte[]> get(int node, Hash32 name) throws IOException {
        check(node);
        return super.get(node, name);
    }

    @Override
    public Optional<byte[]> getUnverified(int node, Hash32 name) throws IOException {
        check(node);
        return super.getUnverified(node, name);
    }

    @Override
    public boolean has(int node, Hash32 name) throws IOException {
        check(node);
        return super.has(node, name);
    }

    @Override
    public boolean addIndex(int node, Hash32 key, byte[] value) throws IOException {
        check(node);
        return super.addIndex(node, key, value);
    }

    @Override
    public List<byte[]> index(int node, Hash32 key) throws IOException {
        check(node);
        return super.index(node, key);
    }
}
