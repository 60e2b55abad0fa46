package ostore.node.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import ostore.client.RingSpec;
import ostore.crypto.SigningKey;
import ostore.routing.NodeId;
import ostore.routing.net.MemberTable;
import ostore.routing.overlay.OverlayParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routing inputs a storage node derives from the ring file: ids, members, neighbours. */
class StorageRoutingTest {
    @TempDir
    Path dir;

    private static RingSpec ring(int storageNodes, boolean keys) {
        List<RingSpec.Member> replicas = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replicas.add(new RingSpec.Member(i, "127.0.0.1", 7420 + i, SigningKey.fromSeed(seed(i)).publicKey()));
        }
        List<RingSpec.StorageAddress> nodes = new ArrayList<>();
        for (int j = 0; j < storageNodes; j++) {
            RingSpec.StorageAddress a = new RingSpec.StorageAddress(j, "127.0.0.1", 7520 + j);
            nodes.add(keys ? a.withRoutingKey(SigningKey.fromSeed(seed(100 + j)).publicKey()) : a);
        }
        Map<String, Long> params = Map.of("max-batch-size", 256L, "batch-wait-micros", 1000L, "checkpoint-interval", 128L,
                "watermark-window", 256L, "view-change-timeout-micros", 2_000_000L, "max-skew-micros", 5_000_000L);
        return new RingSpec(3, 1, 1, params, replicas, nodes);
    }

    private static byte[] seed(int first) {
        byte[] seed = new byte[32];
        seed[0] = (byte) first;
        seed[1] = (byte) (first >> 8);
        return seed;
    }

    @Test
    void idsComeFromKeysAndMembersFromTheRingFile() {
        RingSpec spec = ring(9, true);
        MemberTable table = StorageRouting.members(spec).orElseThrow();
        assertEquals(3, table.epoch());
        assertEquals(9, table.size());
        for (RingSpec.StorageAddress a : spec.storageNodes()) {
            NodeId id = StorageRouting.nodeId(a.routingKey());
            assertEquals(id, StorageRouting.nodeId(a.routingKey()), "deterministic");
            assertNotEquals(a.routingKey().toHex(), id.hash().toHex(), "a hash of the key, not the key");
            assertEquals(a.target(), table.member(id).orElseThrow().address());
            assertEquals(a.id(), StorageRouting.storageIds(spec).get(id));
        }
        assertTrue(StorageRouting.members(ring(9, false)).isEmpty(), "format 2: no keys, no members");
        assertTrue(StorageRouting.storageIds(ring(9, false)).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> StorageRouting.neighbours(ring(9, false), 0));
    }

    @Test
    void neighbourSetsAreSymmetricBoundedTheSameOnEveryNodeAndConnected() {
        for (int n : new int[] {2, 9, 40}) {
            RingSpec spec = ring(n, true);
            List<NodeId> ids = spec.storageNodes().stream().map(a -> StorageRouting.nodeId(a.routingKey())).toList();
            List<SortedSet<NodeId>> sets = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                SortedSet<NodeId> s = StorageRouting.neighbours(spec, j);
                assertEquals(s, StorageRouting.neighbours(spec, j), "deterministic");
                assertTrue(s.size() >= 1 && s.size() <= OverlayParams.defaults().maxDegree(), n + " nodes: " + s.size());
                assertFalse(s.contains(ids.get(j)));
                sets.add(s);
            }
            for (int j = 0; j < n; j++) {
                for (NodeId m : sets.get(j)) {
                    assertTrue(sets.get(ids.indexOf(m)).contains(ids.get(j)), "symmetric");
                }
            }
            Set<NodeId> reached = new HashSet<>(List.of(ids.getFirst()));
            ArrayDeque<NodeId> queue = new ArrayDeque<>(reached);
            while (!queue.isEmpty()) {
                for (NodeId m : sets.get(ids.indexOf(queue.poll()))) {
                    if (reached.add(m)) {
                        queue.add(m);
                    }
                }
            }
            assertEquals(n, reached.size(), "connected");
            if (n == 40) {
                assertTrue(sets.stream().allMatch(s -> s.size() < n - 1), "not a full mesh");
            }
        }
    }

    @Test
    void aNodesKeyIsCreatedOnceAndKeptOwnerOnly() throws IOException {
        SigningKey first = StorageRouting.loadOrCreateKey(dir.resolve("s"));
        assertEquals(first.publicKey(), StorageRouting.loadOrCreateKey(dir.resolve("s")).publicKey());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("s").resolve(StorageRouting.KEY_FILE))));
    }
}
