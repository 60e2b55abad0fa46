package ostore.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import ostore.archive.fragment.CodeParams;
import ostore.archive.manifest.Manifest;
import ostore.archive.manifest.StripeFragments;
import ostore.crypto.Hash32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader asks the {@link FragmentLocator} only for fragments their placed node did not give,
 * fetches from the holder it names before asking every node, and checks those bytes like any
 * others; a scrub re-homes the fragments of a node that is down, also when every node already
 * holds a fragment of the stripe, a restore then finds them through the locator, and once the node
 * is back a scrub copies them home.
 */
class RoutedFetchTest {
    private static final CodeParams CODE = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 6, 3, 1000);

    @TempDir
    Path dir;

    /**
     * A directory of who holds what, read from the real stores (the routing layer's job in a
     * deployment, which this module does not depend on): the highest-numbered node that holds the
     * name and is not down, or the node {@link #decoys} names for it. Records every name asked.
     */
    private static final class Directory implements FragmentLocator {
        final ArchiveNodes nodes;
        final List<Hash32> asked = new ArrayList<>();
        final Map<Hash32, Integer> decoys = new HashMap<>();

        Directory(ArchiveNodes nodes) {
            this.nodes = nodes;
        }

        @Override
        public synchronized Lookup locate(Hash32 name, IntPredicate down) {
            asked.add(name);
            Integer decoy = decoys.get(name);
            if (decoy != null) {
                return new Lookup(decoy, true);
            }
            for (int node = nodes.count() - 1; node >= 0; node--) {
                try {
                    if (!down.test(node) && nodes.has(node, name)) {
                        return new Lookup(node, false);
                    }
                } catch (IOException e) {
                    // A node that is down holds nothing as far as a lookup can tell.
                }
            }
            return new Lookup(-1, true);
        }
    }

    private static Restorer restorer(Cluster cluster, FragmentLocator locator) {
        return new Restorer(cluster.nodes, Versions.checker(), CodeLimits.DEFAULT, locator);
    }

    @Test
    void theLocatorIsAskedOnlyWhenThePlacedNodeMisses() throws IOException {
        try (Cluster cluster = new Cluster(dir, 9, CODE)) {
            Versions.Version v = Versions.first(Versions.randomBlocks(51, 20_000, 1024));
            cluster.archive(v, Optional.empty());
            Directory directory = new Directory(cluster.nodes);

            CollectingSink sink = new CollectingSink();
            RestoreReport clean = restorer(cluster, directory).restore(Versions.AGUID, 1, sink, Progress.NONE);
            assertArrayEquals(v.content(), sink.committed);
            assertTrue(directory.asked.isEmpty(), "every placed node gave its fragment: " + directory.asked);
            assertEquals(LocateStats.NONE, clean.located());

            // A scrub reads every fragment: with all in place it looks for none either.
            ScrubReport scrub = new Scrubber(cluster.nodes, Versions.checker(), CodeLimits.DEFAULT, directory)
                    .scrub(Versions.AGUID, 1);
            assertTrue(scrub.healthy() && scrub.repaired().isEmpty());
            assertTrue(directory.asked.isEmpty(), directory.asked.toString());
            assertEquals(LocateStats.NONE, scrub.located());
        }
    }

    @Test
    void aRehomedFragmentIsFoundThroughTheLocatorWhenItsNodeComesBackWiped() throws IOException {
        try (Cluster cluster = new Cluster(dir, 9, CODE)) {
            Versions.Version v = Versions.first(Versions.randomBlocks(52, 20_000, 1024));
            Manifest m = cluster.archive(v, Optional.empty()).manifest();
            StripeFragments s0 = m.stripes().get(0);
            int lost = s0.node(0);
            cluster.nodes.down(lost);
            Directory directory = new Directory(cluster.nodes);

            // Every node holds a fragment of every stripe (9 wide on 9 nodes): each of the lost
            // node's fragments goes to a node that already holds one, flagged as sharing.
            ScrubReport repair = new Scrubber(cluster.nodes, Versions.checker(), CodeLimits.DEFAULT, directory)
                    .scrub(Versions.AGUID, 1);
            assertTrue(repair.healthy(), repair.toString());
            assertEquals(m.stripes().size(), repair.repaired().size(), repair.repaired().toString());
            Map<Long, Integer> rehomedTo = new HashMap<>();
            for (ScrubReport.Repair r : repair.repaired()) {
                assertTrue(r.relocated() && r.sharing(), r.toString());
                assertTrue(r.node() >= 0 && r.node() != lost, r.toString());
                assertEquals(m.stripes().get((int) r.stripe()).node(r.shard()), lost, r.toString());
                rehomedTo.put(r.stripe(), r.node());
            }
            assertTrue(repair.located().lookups() >= m.stripes().size(), "a lookup per read of a fragment of the down"
                    + " node: " + repair.located());
            assertEquals(0, repair.located().routed(), "the fragments were nowhere before the repair");

            // The node returns with an empty disk; three more (none holding a re-homed fragment)
            // go down, so each stripe has only k - 1 fragments on its placed nodes.
            cluster.wipe(lost);
            cluster.nodes.heal();
            Set<Integer> down = new HashSet<>();
            for (int node = 0; node < 9 && down.size() < 3; node++) {
                if (node != lost && !rehomedTo.containsValue(node)) {
                    down.add(node);
                }
            }
            assertEquals(3, down.size(), "enough nodes hold no re-homed fragment: " + rehomedTo);
            cluster.nodes.down(down.stream().mapToInt(Integer::intValue).toArray());
            directory.asked.clear();

            CollectingSink sink = new CollectingSink();
            RestoreReport restored = restorer(cluster, directory).restore(Versions.AGUID, 1, sink, Progress.NONE);
            assertArrayEquals(v.content(), sink.committed);
            assertEquals(m.stripes().size(), restored.located().routed(), restored.located().toString());
            assertEquals(0, restored.located().swept());
            for (Hash32 name : directory.asked) {
                int placed = placedNode(m, name);
                assertTrue(placed == lost || down.contains(placed), "asked only for fragments their placed node"
                        + " did not give: " + name + " is placed on " + placed);
            }

            // Without a locator the same restore asks every node in turn and finds the same bytes.
            CollectingSink swept = new CollectingSink();
            RestoreReport asking = restorer(cluster, FragmentLocator.NONE).restore(Versions.AGUID, 1, swept,
                    Progress.NONE);
            assertArrayEquals(v.content(), swept.committed);
            assertEquals(0, asking.located().lookups());
            assertEquals(m.stripes().size(), asking.located().swept());

            // Every node up again: a scrub copies each re-homed fragment back to its placed node,
            // and after it every fragment is where the manifest says.
            cluster.nodes.heal();
            ScrubReport home = new Scrubber(cluster.nodes, Versions.checker(), CodeLimits.DEFAULT, directory)
                    .scrub(Versions.AGUID, 1);
            assertTrue(home.healthy(), home.toString());
            assertEquals(m.stripes().size(), home.repaired().size(), home.repaired().toString());
            for (ScrubReport.Repair r : home.repaired()) {
                assertEquals(lost, r.node(), r.toString());
                assertFalse(r.relocated() || r.sharing(), r.toString());
            }
            assertTrue(home.located().routed() >= m.stripes().size(), "found through the locator: " + home.located());
            ScrubReport settled = new Scrubber(cluster.nodes, Versions.checker(), CodeLimits.DEFAULT, directory)
                    .scrub(Versions.AGUID, 1);
            assertTrue(settled.repaired().isEmpty(), settled.toString());
            assertEquals(LocateStats.NONE, settled.located());
            assertEquals(m.stripes().size() * 9, settled.fragmentsGood());
        }
    }

    @Test
    void corruptBytesFromARoutedHolderAreRejectedLikeAnyOther() throws IOException {
        try (Cluster cluster = new Cluster(dir, 11, CODE)) {
            Versions.Version v = Versions.first(Versions.randomBlocks(53, 6_000, 1024));
            StripeFragments s0 = oneStripe(cluster, v);
            List<Integer> outside = new ArrayList<>();
            for (int node = 0; node < 11; node++) {
                if (!s0.nodes().contains(node)) {
                    outside.add(node);
                }
            }
            int home = outside.get(0);
            int decoy = outside.get(1);
            // Shard 0 moved by hand to a node outside the stripe; the locator names another node,
            // which holds a copy with one byte flipped under the same name.
            Hash32 name = s0.name(0);
            byte[] good = cluster.stores.get(s0.node(0)).get(name).orElseThrow();
            cluster.stores.get(home).put(name, good);
            Files.delete(cluster.objectFile(s0.node(0), name));
            Path planted = cluster.objectFile(decoy, name);
            Files.createDirectories(planted.getParent());
            byte[] bad = good.clone();
            bad[bad.length - 1] ^= 1;
            Files.write(planted, bad);
            // Three placed nodes down besides: shard 0 is needed.
            cluster.nodes.down(s0.node(1), s0.node(2), s0.node(3));
            Directory directory = new Directory(cluster.nodes);
            directory.decoys.put(name, decoy);

            CollectingSink sink = new CollectingSink();
            RestoreReport r = restorer(cluster, directory).restore(Versions.AGUID, 1, sink, Progress.NONE);
            assertArrayEquals(v.content(), sink.committed);
            assertEquals(List.of(name), directory.asked.stream().filter(name::equals).toList());
            assertTrue(r.corrupt().stream().anyMatch(c -> c.node() == decoy && c.name().equals(name)), r.corrupt()
                    .toString());
            assertEquals(0, r.located().routed(), "the routed holder's copy was rejected");
            assertEquals(1, r.located().fallbacks());
            assertTrue(r.located().swept() >= 1, "the good copy was found by asking every node: " + r.located());
            assertFalse(cluster.stores.get(decoy).has(name), "the decoy's store set its corrupt copy aside");
        }
    }

    @Test
    void aFragmentReHomedOntoANodeAboutToGetItsOwnBackIsFlaggedSharing() throws IOException {
        try (Cluster cluster = new Cluster(dir, 9, CODE)) {
            StripeFragments s0 = oneStripe(cluster, Versions.first(Versions.randomBlocks(54, 6_000, 1024)));
            // Shard 0's node is down; shard 1's node is up but lost its fragment, so it is the one
            // node holding nothing of the stripe until its own fragment goes back there.
            cluster.nodes.down(s0.node(0));
            Files.delete(cluster.objectFile(s0.node(1), s0.name(1)));

            ScrubReport scrub = new Scrubber(cluster.nodes, Versions.checker(), CodeLimits.DEFAULT,
                    new Directory(cluster.nodes)).scrub(Versions.AGUID, 1);
            assertTrue(scrub.healthy(), scrub.toString());
            assertEquals(2, scrub.repaired().size(), scrub.repaired().toString());
            ScrubReport.Repair rehomed = scrub.repaired().get(0);
            ScrubReport.Repair back = scrub.repaired().get(1);
            assertEquals(0, rehomed.shard());
            boolean together = rehomed.node() == s0.node(1);
            assertEquals(new ScrubReport.Repair(0, 1, s0.name(1), s0.node(1), false, together), back);
            // Every node up holds a fragment of the stripe once the scrub is done: the re-homed one
            // shares a node, and the report says so whichever node that is.
            assertTrue(rehomed.relocated() && rehomed.sharing(), rehomed.toString());
            int held = 0;
            for (Hash32 name : s0.names()) {
                held += cluster.stores.get(rehomed.node()).has(name) ? 1 : 0;
            }
            assertEquals(2, held, "storage node " + rehomed.node() + " holds two fragments of the stripe");
        }
    }

    /** Archives {@code v}, small enough for one stripe, and returns where that stripe's fragments went. */
    private static StripeFragments oneStripe(Cluster cluster, Versions.Version v) throws IOException {
        Manifest m = cluster.archive(v, Optional.empty()).manifest();
        assertEquals(1, m.stripes().size());
        return m.stripes().get(0);
    }

    private static int placedNode(Manifest m, Hash32 name) {
        for (StripeFragments s : m.stripes()) {
            int i = s.names().indexOf(name);
            if (i >= 0) {
                return s.node(i);
            }
        }
        throw new AssertionError(name + " is no fragment of the manifest");
    }
}
