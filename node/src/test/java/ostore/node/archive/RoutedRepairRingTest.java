package ostore.node.archive;

import static ostore.node.archive.ArchiveRingFixture.deleteTree;
import static ostore.node.archive.ArchiveRingFixture.putArchivedAndRouted;
import static ostore.node.archive.ArchiveRingFixture.random;
import static ostore.node.archive.ArchiveRingFixture.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ostore.archive.manifest.Manifest;
import ostore.client.RingSpec;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.node.archive.ArchiveRingFixture.Run;
import ostore.node.cli.Main;
import ostore.node.ring.EmbeddedRing;
import ostore.node.storage.StorageNode;
import ostore.node.storage.StorageRouting;
import ostore.ring.log.LogStores;
import ostore.routing.NodeId;
import ostore.routing.locate.Rendezvous;
import ostore.store.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repair re-homes and restore finds through routing, on a real ring with 9 routing storage nodes
 * and the default RS(6, 3): a storage node goes down and a scrub regenerates its fragment onto
 * another node; a second scrub finds that fragment through a routing lookup; the node comes back
 * with an empty disk and three more go down, so the placed nodes give only k - 1 fragments of the
 * stripe, and {@code ostore restore} still returns the object byte for byte, the missing fragment
 * found through routing (and so does {@code ostore rebuild} into an empty directory); a last scrub
 * copies the fragment back to its returned node.
 */
@Timeout(300)
@ExtendWith(ArchiveRingFixture.ShortPeriods.class)
class RoutedRepairRingTest {
    private static final Pattern REPAIRED = Pattern.compile("repaired stripe 0 shard (\\d+) onto storage node (\\d+) ");
    private static final Pattern ROUTED = Pattern.compile("\"located\":\\{\"lookups\":(\\d+),\"routed\":(\\d+),"
            + "\"fallbacks\":(\\d+),\"swept\":(\\d+)}");

    @TempDir
    Path dir;

    @Test
    void aRehomedFragmentIsFoundThroughRoutingAfterItsNodeComesBackWiped() throws Exception {
        StorageNode restarted = null;
        try (EmbeddedRing ring = EmbeddedRing.start(dir.resolve("ring"), "127.0.0.1", 0, Limits.DEFAULT,
                LogStores.Preference.SEGMENT)) {
            RingSpec spec = ring.spec();
            String ringFile = ring.ringFile().toString();
            byte[] content = random(3 << 20, 11);
            Aguid aguid = putArchivedAndRouted(ring, "rehomed", content);
            Manifest manifest;
            try (RingStorage storage = RingStorage.connect(spec, Duration.ofSeconds(30))) {
                manifest = new ArchiveInspector(storage).manifest(aguid, 1);
                assertTrue(storage.locator() instanceof RoutedFragmentLocator, "a format-3 ring file routes");
            }
            assertEquals(1, manifest.stripes().size(), "3 MiB is one stripe of the default code");

            // Every node holds a fragment of the stripe (9 wide on 9 nodes); one goes down.
            int lost = 4;
            int lostShard = manifest.stripes().get(0).nodes().indexOf(lost);
            Hash32 name = manifest.stripes().get(0).name(lostShard);
            ring.storageNodes().get(lost).close();

            Run repair = run("archive", "scrub", aguid.toHex(), "--ring", ringFile);
            assertEquals(Main.OK, repair.exit(), repair.out() + repair.err());
            Matcher m = REPAIRED.matcher(repair.out());
            assertTrue(m.find(), repair.out());
            assertEquals(lostShard, Integer.parseInt(m.group(1)), repair.out());
            int home = Integer.parseInt(m.group(2));
            assertTrue(home != lost, repair.out());
            assertFalse(m.find(), "one fragment repaired: " + repair.out());
            assertTrue(repair.out().contains("(relocated; every node up already held a fragment of this stripe"),
                    repair.out());
            assertTrue(repair.out().contains("0 fragments found through routing ("), "looked for, found nowhere: "
                    + repair.out());
            assertTrue(repair.out().contains("storage nodes down: [" + lost + "]"), repair.out());
            assertTrue(ring.storageNodes().get(home).awaitRoutingPublished(Duration.ofSeconds(60)));

            // The deterministic fallback has it too: the name's first three rendezvous roots that were
            // up when it was stored keep a pointer to its new holder (beside the old holder's, until
            // that expires).
            Map<NodeId, Integer> ids = StorageRouting.storageIds(spec);
            List<NodeId> members = new ArrayList<>(ids.keySet());
            NodeId homeId = StorageRouting.nodeId(spec.storageNodes().get(home).routingKey());
            List<Integer> roots = Rendezvous.rank(name, members, members.size()).stream().map(ids::get)
                    .filter(j -> j != lost).limit(3).toList();
            for (int root : roots) {
                List<NodeId> pointers = ring.storageNodes().get(root).routing().orElseThrow().pointers(name);
                assertTrue(pointers.contains(homeId), "root " + root + " points to the new holder " + home + ": "
                        + pointers);
            }

            // Scrubbed again while the node is still down: the re-homed fragment is found through routing.
            Run again = run("archive", "scrub", aguid.toHex(), "--ring", ringFile, "--json");
            assertEquals(Main.OK, again.exit(), again.out() + again.err());
            assertTrue(again.out().contains("\"repaired\":[]"), "nothing left to repair: " + again.out());
            assertTrue(routed(again.out()) >= 1, again.out());

            // The node returns with an empty store (its routing key kept); three more go down, none of
            // them the new holder or among the first rendezvous roots of the re-homed fragment.
            Path lostDir = dir.resolve("ring").resolve("storage-" + lost);
            deleteTree(lostDir.resolve("objects"));
            deleteTree(lostDir.resolve("index"));
            RingSpec.StorageAddress a = spec.storageNodes().get(lost);
            restarted = StorageNode.start(lostDir, a.host(), a.port(), spec.keys(), spec.f());
            assertTrue(restarted.hostRouting(spec, lost, StorageRouting.gossipPeriod()));
            restarted.startRouting();
            Set<Integer> spared = new LinkedHashSet<>(List.of(lost, home));
            spared.addAll(roots);
            List<Integer> down = new ArrayList<>();
            for (int j = 0; j < spec.storageNodes().size() && down.size() < 3; j++) {
                if (!spared.contains(j)) {
                    down.add(j);
                }
            }
            assertEquals(3, down.size(), "spared " + spared);
            for (int j : down) {
                ring.storageNodes().get(j).close();
            }

            Path out = dir.resolve("restored");
            Run restore = run("restore", aguid.toHex(), "-o", out.toString(), "--ring", ringFile, "--json");
            assertEquals(Main.OK, restore.exit(), restore.out() + restore.err());
            assertArrayEquals(content, Files.readAllBytes(out), "byte for byte from k - 1 placed fragments and a routed one");
            assertTrue(routed(restore.out()) >= 1, restore.out());
            assertTrue(restore.out().contains("\"nodesDown\":" + down.toString().replace(" ", "")), restore.out());

            Path text = dir.resolve("restored-text");
            Run described = run("restore", aguid.toHex(), "-o", text.toString(), "--ring", ringFile);
            assertEquals(Main.OK, described.exit(), described.out() + described.err());
            assertTrue(described.out().contains("1 fragment found through routing ("), described.out());

            // A replica's state from the archive goes the same way.
            Run rebuild = run("rebuild", "--config", ringFile, "--data", dir.resolve("rebuilt").toString(), "--json");
            assertEquals(Main.OK, rebuild.exit(), rebuild.out() + rebuild.err());
            assertTrue(rebuild.out().contains("\"installed\":1,"), rebuild.out());
            assertTrue(routed(rebuild.out()) >= 1, rebuild.out());

            // The wiped node is up: a scrub copies the re-homed fragment back to it (and re-homes
            // those of the three nodes now down).
            Run settle = run("archive", "scrub", aguid.toHex(), "--ring", ringFile);
            assertEquals(Main.OK, settle.exit(), settle.out() + settle.err());
            assertTrue(settle.out().contains("repaired stripe 0 shard " + lostShard + " onto storage node " + lost + " "
                    + spec.storageNodes().get(lost).target() + "\n"), settle.out());
        } finally {
            if (restarted != null) {
                restarted.close();
            }
        }
    }

    /** The "routed" count of the first {@code "located"} object in {@code out}. */
    private static int routed(String out) {
        Matcher m = ROUTED.matcher(out);
        assertTrue(m.find(), "no located counts in " + out);
        return Integer.parseInt(m.group(2));
    }
}
