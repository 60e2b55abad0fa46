package ostore.node.archive;

import static ostore.node.archive.ArchiveRingFixture.holders;
import static ostore.node.archive.ArchiveRingFixture.putArchivedAndRouted;
import static ostore.node.archive.ArchiveRingFixture.random;
import static ostore.node.archive.ArchiveRingFixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ostore.archive.FragmentLocator;
import ostore.client.RingFile;
import ostore.client.RingSpec;
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
 * {@code ostore up}'s storage nodes host the routing layer: after a version is archived,
 * {@code ostore locate} finds a fragment's holder through a storage node's lookup, also with the
 * GUID's first rendezvous root down, and says clearly when nothing holds a GUID.
 */
@Timeout(300)
@ExtendWith(ArchiveRingFixture.ShortPeriods.class)
class LocateCliTest {
    @TempDir
    Path dir;

    @Test
    void locateFindsAnArchivedFragmentsHolderAndPassesOverANodeThatIsDown() throws Exception {
        try (EmbeddedRing ring = EmbeddedRing.start(dir.resolve("ring"), "127.0.0.1", 0, Limits.DEFAULT,
                LogStores.Preference.SEGMENT)) {
            String ringFile = ring.ringFile().toString();
            RingSpec spec = RingFile.load(ring.ringFile());
            assertTrue(Files.readString(ring.ringFile()).contains("ostore-ring 3\n"), "the ring file records routing keys");
            assertTrue(spec.storageKeysKnown());
            for (StorageNode n : ring.storageNodes()) {
                assertTrue(n.routing().isPresent(), "every storage node routes");
            }

            putArchivedAndRouted(ring, "located", random(3 << 20, 5));

            // Who holds what, from the nodes' own listings.
            Map<Hash32, Set<Integer>> holders = holders(spec);
            assertTrue(holders.size() >= 9, "a 3 MiB version is at least one stripe of 9 fragments: " + holders.size());

            // A name whose first rendezvous root is neither a holder nor the origin, so taking that
            // root down takes away one of the places the fallback looks.
            Map<NodeId, Integer> ids = StorageRouting.storageIds(spec);
            List<NodeId> members = new ArrayList<>(ids.keySet());
            Hash32 name = null;
            int firstRoot = -1;
            int origin = -1;
            for (Map.Entry<Hash32, Set<Integer>> e : holders.entrySet()) {
                int root = ids.get(Rendezvous.rank(e.getKey(), members, 1).getFirst());
                if (!e.getValue().contains(root)) {
                    name = e.getKey();
                    firstRoot = root;
                    for (int j = 0; j < spec.storageNodes().size() && origin < 0; j++) {
                        if (j != root && !e.getValue().contains(j)) {
                            origin = j;
                        }
                    }
                    break;
                }
            }
            assertNotNull(name, "some name's first root holds none of it");
            Set<Integer> held = holders.get(name);

            Run text = run("locate", name.toHex(), "--config", ringFile, "--from", "" + origin);
            assertEquals(Main.OK, text.exit(), text.out() + text.err());
            assertTrue(text.out().lines().findFirst().orElseThrow().matches(name.toHex() + " is held by storage node \\d+ .*"),
                    text.out());
            int holder = Integer.parseInt(text.out().split("storage node ")[1].split(" ")[0]);
            assertTrue(held.contains(holder), "holder " + holder + " of " + held);
            assertTrue(text.out().contains("lookup run by storage node " + origin + ": Bloom path storage node " + origin),
                    text.out());
            assertTrue(text.out().contains("fallback"), text.out());

            Run first = run("locate", name.toHex(), "--ring", ringFile, "--from", "" + origin, "--json");
            assertEquals(Main.OK, first.exit(), first.out() + first.err());
            List<Integer> path = new ArrayList<>();
            for (String n : first.out().split("\"path\":\\[")[1].split("]")[0].split(",")) {
                path.add(Integer.parseInt(n));
            }
            assertEquals(origin, path.getFirst().intValue(), first.out());
            // Down: a node the last lookup went through on its Bloom path if it had one between origin
            // and holder (the origin's view of it is still fresh, so the next lookup tries it), else
            // the GUID's first rendezvous root (where the fallback looks first).
            int victim = path.size() > 2 ? path.get(1) : firstRoot;
            ring.storageNodes().get(victim).close();
            Run json = run("locate", name.toHex(), "--ring", ringFile, "--from", "" + origin, "--json");
            assertEquals(Main.OK, json.exit(), json.out() + json.err());
            String line = json.out().strip();
            assertTrue(line.startsWith("{\"guid\":\"" + name.toHex() + "\",\"from\":" + origin + ",\"found\":true,\"holder\":"),
                    line);
            int again = Integer.parseInt(line.split("\"holder\":")[1].split(",")[0]);
            assertTrue(held.contains(again), "holder " + again + " of " + held);
            assertTrue(line.contains("\"holderAddress\":\"" + spec.storageNodes().get(again).target() + "\""), line);
            assertTrue(!line.split("\"path\":\\[")[1].split("]")[0].matches("(.*,)?" + victim + "(,.*)?"),
                    "the stopped node " + victim + " is passed over: " + line);

            Hash32 absent = Hash32.fromHex("ab".repeat(32));
            Run missing = run("locate", absent.toHex(), "--ring", ringFile, "--from", "" + origin);
            assertEquals(Main.FAILED, missing.exit(), missing.out() + missing.err());
            assertTrue(missing.out().contains(absent.toHex() + ": no holder found"), missing.out());
            assertTrue(missing.out().contains("fallback needed"), missing.out());
            assertTrue(missing.err().contains("ostore: not found: no storage node holds " + absent.toHex()), missing.err());

            Run down = run("locate", name.toHex(), "--ring", ringFile, "--from", "" + victim);
            assertEquals(Main.FAILED, down.exit(), down.out() + down.err());
            assertTrue(down.err().contains("no storage node could run the lookup: storage node " + victim), down.err());

            Run bad = run("locate", "xyz", "--ring", ringFile);
            assertEquals(Main.USAGE, bad.exit(), bad.err());
            assertTrue(bad.err().contains("GUID 'xyz' must be 64 hex digits"), bad.err());
        }
    }

    @Test
    void aRingFileWithoutRoutingKeysIsRefusedByName() throws IOException {
        Path file = dir.resolve("ring.conf");
        try (EmbeddedRing ring = EmbeddedRing.start(dir.resolve("ring"), "127.0.0.1", 0, Limits.DEFAULT,
                LogStores.Preference.SEGMENT, 2)) {
            List<RingSpec.StorageAddress> bare = new ArrayList<>();
            for (RingSpec.StorageAddress a : ring.spec().storageNodes()) {
                bare.add(new RingSpec.StorageAddress(a.id(), a.host(), a.port()));
            }
            RingFile.write(ring.spec().withStorageNodes(bare), file);
        }
        assertTrue(Files.readString(file).contains("ostore-ring 2\n"));
        Run old = run("locate", "ab".repeat(32), "--ring", file.toString());
        assertEquals(Main.FAILED, old.exit(), old.err());
        assertTrue(old.err().contains(file + " gives no routing keys for its storage nodes (format 2)"), old.err());
        try (RingStorage storage = RingStorage.connect(RingFile.load(file), Duration.ofSeconds(5))) {
            assertSame(FragmentLocator.NONE, storage.locator(), "without routing keys a restore asks every node");
        }
    }
}
