package ostore.node.archive;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import ostore.archive.ArchiveNodes;
import ostore.archive.CertificateChecker;
import ostore.archive.FragmentLocator;
import ostore.archive.RingCertificateChecker;
import ostore.archive.StoreNodes;
import ostore.client.RingSpec;
import ostore.crypto.Hash32;
import ostore.node.storage.RemoteFragmentStore;

/**
 * The storage nodes a ring file lists, reached over gRPC, as the archive's {@link ArchiveNodes}
 * (node i is the ring file's storage node i, the number placement uses), with the ring's
 * certificate checker. Replicas and the CLI build it the same way from the same file, so a restore
 * run by the CLI alone finds exactly what the replicas archived. A fragment its placed node does
 * not give is looked for through the storage nodes' routing layer ({@link #locator()}).
 */
public final class RingStorage implements ArchiveNodes, AutoCloseable {
    private final List<RemoteFragmentStore> remotes;
    private final StoreNodes nodes;
    private final CertificateChecker checker;
    private final Optional<RoutedFragmentLocator> routed;

    private RingStorage(List<RemoteFragmentStore> remotes, CertificateChecker checker,
            Optional<RoutedFragmentLocator> routed) {
        this.remotes = remotes;
        this.nodes = new StoreNodes(remotes);
        this.checker = checker;
        this.routed = routed;
    }

    /**
     * Channels to every storage node of {@code ring} (connected lazily: a node that is down fails
     * its first call, not this one), each call bounded by {@code deadline}.
     *
     * @throws IllegalArgumentException if the ring lists no storage nodes
     */
    public static RingStorage connect(RingSpec ring, Duration deadline) {
        Objects.requireNonNull(ring, "ring");
        if (!ring.archives()) {
            throw new IllegalArgumentException("the ring configuration lists no storage nodes: the archive is disabled");
        }
        List<RemoteFragmentStore> remotes = new ArrayList<>();
        for (RingSpec.StorageAddress a : ring.storageNodes()) {
            remotes.add(RemoteFragmentStore.connect(a.target(), deadline));
        }
        return new RingStorage(List.copyOf(remotes), new RingCertificateChecker(ring.keys(), ring.f()),
                RoutedFragmentLocator.forRing(ring));
    }

    /** Checks certificates against the ring's keys: at least 2f+1 of them signed. */
    public CertificateChecker checker() {
        return checker;
    }

    /**
     * Where restores, scrubs and rebuilds look for a fragment its placed node does not give: the
     * storage nodes' routing layer ({@link RoutedFragmentLocator}), or {@link FragmentLocator#NONE}
     * (ask every node) when the ring file gives no routing keys.
     */
    public FragmentLocator locator() {
        return routed.<FragmentLocator>map(r -> r).orElse(FragmentLocator.NONE);
    }

    /** Storage node {@code node}'s address. */
    public String target(int node) {
        return remotes.get(node).target();
    }

    /** Which of {@code names} storage node {@code node} holds, in one call. */
    List<Boolean> hasAll(int node, List<Hash32> names) throws IOException {
        return remotes.get(node).hasAll(names);
    }

    /** Up to {@code limit} names storage node {@code node} holds, ascending, after {@code after} (null: from the first). */
    List<Hash32> list(int node, Hash32 after, int limit) throws IOException {
        return remotes.get(node).list(after, limit);
    }

    @Override
    public int count() {
        return nodes.count();
    }

    @Override
    public boolean put(int node, Hash32 name, byte[] bytes) throws IOException {
        return nodes.put(node, name, bytes);
    }

    @Override
    public Optional<byte[]> get(int node, Hash32 name) throws IOException {
        return nodes.get(node, name);
    }

    @Override
    public boolean has(int node, Hash32 name) throws IOException {
        return nodes.has(node, name);
    }

    @Override
    public boolean addIndex(int node, Hash32 key, byte[] value) throws IOException {
        return nodes.addIndex(node, key, value);
    }

    @Override
    public List<byte[]> index(int node, Hash32 key) throws IOException {
        return nodes.index(node, key);
    }

    @Override
    public void close() {
        routed.ifPresent(RoutedFragmentLocator::close);
        remotes.forEach(RemoteFragmentStore::close);
    }
}
