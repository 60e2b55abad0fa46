package ostore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import ostore.archive.ArchiveNodes;
import ostore.archive.StoreNodes;
import ostore.archive.store.FileFragmentStore;
import ostore.node.storage.RemoteFragmentStore;
import ostore.node.storage.StorageNode;

/**
 * The storage nodes an archive driver writes to and restores from, all in the driver's process on
 * one directory, and the switch that takes one down. Two transports: {@link #files} calls
 * {@link FileFragmentStore}s directly and a node "down" answers every call with an
 * {@link IOException}; {@link #grpc} runs each node as a {@link StorageNode} on 127.0.0.1 reached
 * through {@link RemoteFragmentStore}, and a node "down" is really stopped. Both drivers use this,
 * so their figures come from the same set-up.
 */
interface ArchiveBenchNodes extends AutoCloseable {
    ArchiveNodes all();

    int count();

    /** Takes node {@code node} down for the rest of the run. */
    void down(int node) throws IOException;

    /** What the nodes hold on disk now. */
    Stored stored() throws IOException;

    @Override
    void close() throws IOException;

    /**
     * Bytes the nodes hold on disk: {@code objects} (fragments and manifests, each with its header)
     * and {@code index} (index entries: manifest name and certificate).
     */
    record Stored(long objects, long index) {
        long total() {
            return objects + index;
        }

        Stored minus(Stored other) {
            return new Stored(objects - other.objects, index - other.index);
        }
    }

    /** {@code count} nodes under {@code dir}, over gRPC on loopback or called directly. */
    static ArchiveBenchNodes open(boolean grpc, Path dir, int count) throws IOException {
        return grpc ? grpc(dir, count) : files(dir, count);
    }

    static ArchiveBenchNodes files(Path dir, int count) throws IOException {
        List<FileFragmentStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                stores.add(FileFragmentStore.open(dir.resolve("node-" + i)));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(stores, e);
            throw e;
        }
        Set<Integer> down = ConcurrentHashMap.newKeySet();
        ArchiveNodes all = new SwitchableNodes(new StoreNodes(stores), down);
        return of(all, dir, count, down::add, () -> closeAll(stores));
    }

    static ArchiveBenchNodes grpc(Path dir, int count) throws IOException {
        List<StorageNode> servers = new ArrayList<>();
        List<RemoteFragmentStore> clients = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                servers.add(StorageNode.start(dir.resolve("node-" + i), "127.0.0.1", 0));
                clients.add(RemoteFragmentStore.connect(servers.getLast().address()));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(clients, e);
            closeAll(servers, e);
            throw e;
        }
        return of(new StoreNodes(clients), dir, count, node -> servers.get(node).close(),
                () -> closeAll(Stream.<AutoCloseable>concat(clients.stream(), servers.stream()).toList()));
    }

    /** Closes every one of {@code all}, each failure added to {@code failure}: one that fails does not leave the rest open. */
    private static void closeAll(List<? extends AutoCloseable> all, Exception failure) {
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }

    /** Closes every one of {@code all}; throws the first failure, the later ones suppressed in it. */
    private static void closeAll(List<? extends AutoCloseable> all) throws IOException {
        IOException first = new IOException("closing the benchmark's storage nodes failed");
        closeAll(all, first);
        if (first.getSuppressed().length > 0) {
            throw first;
        }
    }

    /** How a transport takes a node down. */
    @FunctionalInterface
    interface Down {
        void down(int node) throws IOException;
    }

    private static ArchiveBenchNodes of(ArchiveNodes all, Path dir, int count, Down down, java.io.Closeable close) {
        return new ArchiveBenchNodes() {
            @Override
            public ArchiveNodes all() {
                return all;
            }

            @Override
            public int count() {
                return count;
            }

            @Override
            public void down(int node) throws IOException {
                down.down(node);
            }

            @Override
            public Stored stored() throws IOException {
                return measure(dir, count);
            }

            @Override
            public void close() throws IOException {
                close.close();
            }
        };
    }

    private static Stored measure(Path dir, int count) throws IOException {
        long objects = 0;
        long index = 0;
        for (int i = 0; i < count; i++) {
            objects += treeBytes(dir.resolve("node-" + i).resolve("objects"));
            index += treeBytes(dir.resolve("node-" + i).resolve("index"));
        }
        return new Stored(objects, index);
    }

    private static long treeBytes(Path root) throws IOException {
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root)) {
            long sum = 0;
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                sum += Files.size(p);
            }
            return sum;
        }
    }

    /** Deletes {@code root} and everything under it (the nodes' directory, once they are closed). */
    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
