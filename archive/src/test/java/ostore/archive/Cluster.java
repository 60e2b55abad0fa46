package ostore.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.Manifest;
import ostore.archive.store.FileFragmentStore;
import ostore.crypto.Hash32;

/** A set of file-backed storage nodes in a temporary directory, with fault rules and the archive roles. */
final class Cluster implements AutoCloseable {
    final Path dir;
    final List<FileFragmentStore> stores = new ArrayList<>();
    final FaultyNodes nodes;
    final CodeParams code;

    Cluster(Path dir, int count, CodeParams code) throws IOException {
        this.dir = dir;
        this.code = code;
        for (int i = 0; i < count; i++) {
            stores.add(FileFragmentStore.open(dir.resolve("node-" + i)));
        }
        this.nodes = new FaultyNodes(new StoreNodes(stores));
    }

    WriteReport archive(Versions.Version v, Optional<Manifest> previous) throws IOException {
        return new ArchiveWriter(nodes, code).write(v.root(), v.entries(), v.source(), previous, v.certificate(),
                Progress.NONE);
    }

    RestoreReport restore(Versions.Version v, CollectingSink sink) throws IOException {
        return new Restorer(nodes, Versions.checker()).restore(v.root().aguid(), v.root().seq(), sink, Progress.NONE);
    }

    Path objectFile(int node, Hash32 name) {
        String hex = name.toHex();
        return dir.resolve("node-" + node).resolve("objects").resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** Deletes every file under node {@code node}'s directory and reopens it empty, as a replaced disk. */
    void wipe(int node) throws IOException {
        Path root = dir.resolve("node-" + node);
        stores.get(node).close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        stores.set(node, FileFragmentStore.open(root));
        nodes.replace(new StoreNodes(stores));
    }

    @Override
    public void close() throws IOException {
        for (FileFragmentStore s : stores) {
            s.close();
        }
    }
}
