package ostore.archive;

import java.util.List;
import java.util.Objects;
import ostore.archive.manifest.Manifest;
import ostore.crypto.Hash32;

/**
 * What an archive write did. A write that returns has every stripe on at least k nodes and the
 * manifest with its index entry on at least m + 1; {@link #complete()} says whether it reached
 * every node it meant to. If not, {@link #unplaced()} lists what is missing, for a later scrub.
 *
 * @param archivedBytes the bytes this version archived (new blocks only)
 * @param manifestNodes the nodes now holding the manifest and this writer's index entry
 */
public record WriteReport(Manifest manifest, Hash32 manifestName, long archivedBytes, int fragmentsPlaced,
        List<Unplaced> unplaced, List<Integer> manifestNodes, List<Integer> nodesDown) {
    public WriteReport {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(manifestName, "manifestName");
        unplaced = List.copyOf(unplaced);
        manifestNodes = List.copyOf(manifestNodes);
        nodesDown = List.copyOf(nodesDown);
    }

    /** A fragment that could not be stored on its placed node. */
    public record Unplaced(long stripe, int shard, int node, Hash32 name, String reason) {}

    /** Whether every fragment and every manifest copy landed. */
    public boolean complete() {
        return unplaced.isEmpty() && nodesDown.isEmpty();
    }
}
