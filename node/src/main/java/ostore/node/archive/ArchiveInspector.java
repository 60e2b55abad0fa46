package ostore.node.archive;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import ostore.archive.ArchiveException;
import ostore.archive.CodeLimits;
import ostore.archive.IndexEntry;
import ostore.archive.Restorer;
import ostore.archive.manifest.Manifest;
import ostore.archive.manifest.StripeFragments;
import ostore.archive.store.ArchiveNames;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;

/**
 * Looks at one archived version on the storage nodes as a restorer would: its manifest must verify
 * through its certificate, then each fragment is looked for on the node the manifest placed it on
 * (one batched call per node). Shared by a replica's {@code Archive/Status} and the CLI, which can
 * ask the storage nodes itself when no replica is up.
 */
public final class ArchiveInspector {
    private final RingStorage storage;
    private final Restorer restorer;

    public ArchiveInspector(RingStorage storage) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.restorer = new Restorer(storage, storage.checker(), CodeLimits.DEFAULT, storage.locator());
    }

    /**
     * What the storage nodes hold of one version.
     *
     * @param fragmentsPlaced fragments found on their placed nodes
     * @param fragmentsTotal stripes × (k + m)
     * @param nodesDown storage nodes that did not answer
     */
    public record Archived(Hash32 manifestName, int k, int m, int stripes, long archivedBytes, int fragmentsPlaced,
            int fragmentsTotal, List<Integer> nodesDown) {
        public Archived {
            Objects.requireNonNull(manifestName, "manifestName");
            nodesDown = List.copyOf(nodesDown);
        }
    }

    /**
     * The archive state of version {@code seq} of {@code aguid}.
     *
     * @throws ArchiveException if no verified manifest of it is on the reachable storage nodes
     */
    public Archived inspect(Aguid aguid, long seq) throws ArchiveException {
        Manifest manifest = restorer.manifest(aguid, seq);
        int n = storage.count();
        List<List<Hash32>> perNode = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            perNode.add(new ArrayList<>());
        }
        for (StripeFragments s : manifest.stripes()) {
            for (int shard = 0; shard < s.names().size(); shard++) {
                perNode.get(s.node(shard)).add(s.name(shard));
            }
        }
        int placed = 0;
        List<Integer> down = new ArrayList<>();
        for (int node = 0; node < n; node++) {
            if (perNode.get(node).isEmpty()) {
                continue;
            }
            try {
                placed += (int) storage.hasAll(node, perNode.get(node)).stream().filter(Boolean::booleanValue).count();
            } catch (IOException e) {
                down.add(node);
            }
        }
        int total = manifest.stripes().size() * manifest.code().totalShards();
        return new Archived(manifest.name(), manifest.code().dataShards(), manifest.code().parityShards(),
                manifest.stripes().size(), manifest.archivedBytes(), placed, total, down);
    }

    /**
     * Whether a storage node holds an index entry for the version whose certificate checks and
     * the manifest that entry names: the cheap test a replica that is not designated makes after
     * the grace period (usually two calls: one index lookup, one {@code has}), rather than a full
     * {@link #inspect}. Nodes are asked starting at {@code firstNode}, so replicas spread the load.
     *
     * @return the manifest's name, if found
     */
    public Optional<Hash32> entryPresent(Aguid aguid, long seq, int firstNode) {
        Hash32 key = ArchiveNames.indexKey(aguid, seq);
        int n = storage.count();
        for (int i = 0; i < n; i++) {
            int node = Math.floorMod(firstNode + i, n);
            try {
                for (byte[] value : storage.index(node, key)) {
                    IndexEntry entry;
                    try {
                        entry = IndexEntry.decode(value);
                        storage.checker().check(aguid, seq, entry.certificate());
                    } catch (IllegalArgumentException refused) {
                        continue;
                    }
                    if (storage.has(node, entry.manifestName())) {
                        return Optional.of(entry.manifestName());
                    }
                }
            } catch (IOException e) {
                // This node is down or refused; another may answer.
            }
        }
        return Optional.empty();
    }

    /** The verified manifest of a version (for dedup and repair). */
    Manifest manifest(Aguid aguid, long seq) throws ArchiveException {
        return restorer.manifest(aguid, seq);
    }
}
