package ostore.archive;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import ostore.crypto.Hash32;

/**
 * Fault rules over real nodes: a node marked down answers every call with an IOException, as an
 * unreachable storage node does; a node marked lying flips a byte of every object it returns, as a
 * faulty node that bypasses its store's checks would.
 */
final class FaultyNodes implements ArchiveNodes {
    private ArchiveNodes real;
    private final Set<Integer> down = new HashSet<>();
    private final Set<Integer> lying = new HashSet<>();
    private final Set<Integer> refusing = new HashSet<>();
    private final Set<Integer> crashing = new HashSet<>();

    FaultyNodes(ArchiveNodes real) {
        this.real = real;
    }

    /** Points the rules at new real nodes (after a test replaced a store). */
    void replace(ArchiveNodes real) {
        this.real = real;
    }

    FaultyNodes down(int... nodes) {
        for (int n : nodes) {
            down.add(n);
        }
        return this;
    }

    FaultyNodes lying(int... nodes) {
        for (int n : nodes) {
            lying.add(n);
        }
        return this;
    }

    /** Nodes that answer every call with IllegalArgumentException, as a remote node refusing the protocol did. */
    FaultyNodes refusing(int... nodes) {
        for (int n : nodes) {
            refusing.add(n);
        }
        return this;
    }

    /** Nodes that answer every call with a plain RuntimeException, as a bug in a node wrapper would. */
    FaultyNodes crashing(int... nodes) {
        for (int n : nodes) {
            crashing.add(n);
        }
        return this;
    }

    FaultyNodes heal() {
        down.clear();
        lying.clear();
        refusing.clear();
        crashing.clear();
        return this;
    }

    private void check(int node) throws IOException {
        if (down.contains(node)) {
            throw new IOException("storage node " + node + " is unreachable");
        }
        if (refusing.contains(node)) {
            throw new IllegalArgumentException("storage node " + node + " refused the call: RESOURCE_EXHAUSTED");
        }
        if (crashing.contains(node)) {
            throw new RuntimeException("storage node " + node + " wrapper crashed");
        }
    }

    @Override
    public int count() {
        return real.count();
    }

    @Override
    public boolean put(int node, Hash32 name, byte[] bytes) throws IOException {
        check(node);
        return real.put(node, name, bytes);
    }

    @Override
    public Hash32 putNamed(int node, byte[] bytes) throws IOException {
        check(node);
        return real.putNamed(node, bytes);
    }

    @Override
    public Optional<byte[]> get(int node, Hash32 name) throws IOException {
        check(node);
        return lie(node, real.get(node, name));
    }

    private Optional<byte[]> lie(int node, Optional<byte[]> bytes) {
        if (lying.contains(node) && bytes.isPresent() && bytes.get().length > 0) {
            byte[] b = bytes.get();
            b[b.length - 1] ^= 0x5a;
        }
        return bytes;
    }

    @Override
    public Optional<byte[]> getUnverified(int node, Hash32 name) throws IOException {
        check(node);
        return lie(node, real.getUnverified(node, name));
    }

    @Override
    public boolean has(int node, Hash32 name) throws IOException {
        check(node);
        return real.has(node, name);
    }

    @Override
    public boolean addIndex(int node, Hash32 key, byte[] value) throws IOException {
        check(node);
        return real.addIndex(node, key, value);
    }

    @Override
    public List<byte[]> index(int node, Hash32 key) throws IOException {
        check(node);
        return real.index(node, key);
    }
}
