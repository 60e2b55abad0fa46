package ostore.archive;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.archive.manifest.ArchivedBlock;
import ostore.archive.manifest.Manifest;
import ostore.archive.manifest.StripeFragments;
import ostore.crypto.Bguid;
import ostore.crypto.Hash32;

/**
 * Checks of a candidate manifest that need no decoding: its own fragments exist, and its rows that
 * point into earlier versions agree with those versions' manifests. Cheaper than a restore (a
 * {@code has} per fragment looked for, one manifest fetch per earlier version referred to), and
 * weaker: fragments that exist may still hold other bytes than the blocks need; only decoding and
 * checking BGUIDs shows that.
 */
final class ManifestChecks {
    private static final Logger LOG = Logger.getLogger(ManifestChecks.class.getName());

    private final ArchiveNodes nodes;
    private final ManifestLocator locator;
    private final FetchLog log;
    /** Where a fragment its placed node lacks is looked for, as a fetch looks for it. */
    private final FragmentSearch fragments;

    ManifestChecks(ArchiveNodes nodes, ManifestLocator locator, FetchLog log, FragmentLocator fragments) {
        this.nodes = nodes;
        this.locator = locator;
        this.log = log;
        this.fragments = new FragmentSearch(nodes, log, fragments);
    }

    /**
     * Null if every stripe of {@code m} has at least k of its fragments on some reachable node, else
     * why not. A fragment its placed node lacks is asked of the holder the locator names, then of
     * every other node.
     */
    String fragmentsExist(Manifest m) {
        int k = m.code().dataShards();
        for (int s = 0; s < m.stripes().size(); s++) {
            StripeFragments stripe = m.stripes().get(s);
            boolean[] found = new boolean[stripe.names().size()];
            int held = 0;
            for (int i = 0; i < found.length && held < k; i++) {
                if (holds(stripe.node(i), stripe.name(i))) {
                    found[i] = true;
                    held++;
                }
            }
            for (int i = 0; i < found.length && held < k; i++) {
                int routed = found[i] ? -1 : fragments.holder(stripe.name(i), stripe.node(i));
                if (routed >= 0 && holds(routed, stripe.name(i))) {
                    found[i] = true;
                    held++;
                }
                for (int node = 0; node < nodes.count() && !found[i]; node++) {
                    if (node != stripe.node(i) && node != routed && holds(node, stripe.name(i))) {
                        found[i] = true;
                        held++;
                    }
                }
            }
            if (held < k) {
                return "stripe " + s + " has " + held + " of its fragments on the reachable storage nodes, " + k
                        + " needed";
            }
        }
        return null;
    }

    /**
     * Null if every row of {@code m} archived in an earlier version names exactly a location that
     * version's manifest gives the same block (checked against the first candidate of that version
     * whose own fragments exist and which has every such row), else why not.
     */
    String earlierRowsMatch(Manifest m) {
        Map<Long, Map<Bguid, ArchivedBlock>> bySeq = new TreeMap<>();
        for (ArchivedBlock b : m.blocks()) {
            if (b.archivedSeq() < m.seq()) {
                bySeq.computeIfAbsent(b.archivedSeq(), s -> new HashMap<>()).putIfAbsent(b.bguid(), b);
            }
        }
        for (Map.Entry<Long, Map<Bguid, ArchivedBlock>> e : bySeq.entrySet()) {
            String problem = matchOne(m, e.getKey(), e.getValue());
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private String matchOne(Manifest m, long seq, Map<Bguid, ArchivedBlock> rows) {
        ManifestLocator.Candidates candidates = locator.candidates(m.aguid(), seq);
        List<String> why = new ArrayList<>(candidates.refused());
        for (ManifestLocator.Candidate c : candidates.list()) {
            try {
                Manifest earlier = locator.fetch(m.aguid(), seq, c).manifest();
                String problem = contains(earlier, rows);
                if (problem == null) {
                    problem = fragmentsExist(earlier);
                }
                if (problem == null) {
                    return null;
                }
                why.add("manifest " + c.name() + ": " + problem);
            } catch (ArchiveException e) {
                why.add(e.getMessage());
            }
        }
        return rows.size() + " blocks are archived in seq " + seq + ", but no manifest of seq " + seq
                + " with its fragments in place has them there" + (why.isEmpty() ? "" : " (" + String.join("; ", why) + ")");
    }

    private static String contains(Manifest earlier, Map<Bguid, ArchivedBlock> rows) {
        Map<Bguid, ArchivedBlock> own = new HashMap<>();
        for (ArchivedBlock b : earlier.blocks()) {
            if (b.archivedSeq() == earlier.seq()) {
                own.putIfAbsent(b.bguid(), b);
            }
        }
        for (ArchivedBlock row : rows.values()) {
            if (!row.equals(own.get(row.bguid()))) {
                return "block " + row.bguid() + " (" + row.length() + " bytes at offset " + row.offset()
                        + ") is not among the blocks it archives";
            }
        }
        return null;
    }

    private boolean holds(int node, Hash32 name) {
        if (node < 0 || node >= nodes.count() || log.isDown(node)) {
            return false;
        }
        try {
            return nodes.has(node, name);
        } catch (IOException e) {
            log.down(node);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly on has " + name, e);
            log.down(node);
        }
        return false;
    }
}
