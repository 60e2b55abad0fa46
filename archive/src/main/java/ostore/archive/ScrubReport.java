package ostore.archive;

import java.util.List;
import java.util.Objects;
import ostore.crypto.Hash32;

/**
 * What a scrub of one archived version found and fixed.
 *
 * @param fragmentsGood fragments found intact (on their placed node or, after an earlier repair,
 *     elsewhere)
 * @param repaired fragments regenerated and stored, or found intact away from their placed node
 *     while it is up (an earlier repair re-homed them) and copied back there
 * @param lost stripes with fewer than k good fragments: the scrub could not rebuild them
 * @param unplaced regenerated fragments no healthy node would take
 * @param manifestCopiesAdded nodes that were given the manifest again
 * @param indexEntriesAdded nodes that were given the index entry again
 * @param problems what else kept the scrub from restoring something (e.g. a node's index key full)
 * @param rejected candidate manifests with valid certificates that did not verify and were left alone
 * @param located how fragments their placed nodes did not give were found (through routing, its
 *     fallback, or by asking every node)
 */
public record ScrubReport(Hash32 manifestName, int stripes, int fragmentsGood, List<Repair> repaired,
        List<LostStripe> lost, List<Repair> unplaced, List<CorruptFragment> corrupt, List<Integer> nodesDown,
        int manifestCopiesAdded, int indexEntriesAdded, List<String> problems, List<RejectedManifest> rejected,
        LocateStats located) {
    /** A report with no rejected manifests (the form before manifests were ranked). */
    public ScrubReport(Hash32 manifestName, int stripes, int fragmentsGood, List<Repair> repaired,
            List<LostStripe> lost, List<Repair> unplaced, List<CorruptFragment> corrupt, List<Integer> nodesDown,
            int manifestCopiesAdded, int indexEntriesAdded, List<String> problems) {
        this(manifestName, stripes, fragmentsGood, repaired, lost, unplaced, corrupt, nodesDown, manifestCopiesAdded,
                indexEntriesAdded, problems, List.of());
    }

    /** A report that looked for no fragment away from its placed node (the form before routing). */
    public ScrubReport(Hash32 manifestName, int stripes, int fragmentsGood, List<Repair> repaired,
            List<LostStripe> lost, List<Repair> unplaced, List<CorruptFragment> corrupt, List<Integer> nodesDown,
            int manifestCopiesAdded, int indexEntriesAdded, List<String> problems, List<RejectedManifest> rejected) {
        this(manifestName, stripes, fragmentsGood, repaired, lost, unplaced, corrupt, nodesDown, manifestCopiesAdded,
                indexEntriesAdded, problems, rejected, LocateStats.NONE);
    }

    public ScrubReport {
        rejected = List.copyOf(rejected);
        Objects.requireNonNull(manifestName, "manifestName");
        Objects.requireNonNull(located, "located");
        repaired = List.copyOf(repaired);
        lost = List.copyOf(lost);
        unplaced = List.copyOf(unplaced);
        corrupt = List.copyOf(corrupt);
        nodesDown = List.copyOf(nodesDown);
        problems = List.copyOf(problems);
    }

    /**
     * A fragment put back: on its placed node, or ({@code relocated}) re-homed on another one; -1
     * if nowhere. {@code sharing}: that node already held another fragment of the stripe (every
     * node held one), so losing it costs the stripe two fragments.
     */
    public record Repair(long stripe, int shard, Hash32 name, int node, boolean relocated, boolean sharing) {
        /** A repair onto a node holding nothing else of the stripe. */
        public Repair(long stripe, int shard, Hash32 name, int node, boolean relocated) {
            this(stripe, shard, name, node, relocated, false);
        }
    }

    /** A stripe that cannot be rebuilt from what the nodes hold. */
    public record LostStripe(long stripe, int good, int needed) {}

    /** Whether every fragment of the version is now stored intact. */
    public boolean healthy() {
        return lost.isEmpty() && unplaced.isEmpty() && problems.isEmpty();
    }
}
