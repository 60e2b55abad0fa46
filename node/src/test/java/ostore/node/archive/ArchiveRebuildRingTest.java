package ostore.node.archive;

import static ostore.node.archive.ArchiveRingFixture.awaitDrained;
import static ostore.node.archive.ArchiveRingFixture.deleteTree;
import static ostore.node.archive.ArchiveRingFixture.random;
import static ostore.node.archive.ArchiveRingFixture.range;
import static ostore.node.archive.ArchiveRingFixture.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ostore.api.v1.Comparison;
import ostore.client.Actions;
import ostore.client.OstoreClient;
import ostore.client.Predicates;
import ostore.client.RingPolicy;
import ostore.client.RingSpec;
import ostore.client.Selectors;
import ostore.client.UpdateResult;
import ostore.client.Updates;
import ostore.client.VerifiedVersion;
import ostore.crypto.Aguid;
import ostore.crypto.KeyFiles;
import ostore.crypto.SigningKey;
import ostore.crypto.Vguid;
import ostore.node.archive.ArchiveRingFixture.Run;
import ostore.node.cli.Main;
import ostore.node.ring.EmbeddedRing;
import ostore.node.ring.ReplicaNode;
import ostore.node.storage.StorageNode;
import ostore.ring.log.LogStores;
import ostore.store.Limits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disaster recovery on a real 4-replica ring with 9 storage nodes: versions are written and
 * archived, the ring stops, every replica's version data and log is wiped and 3 storage nodes are
 * down; {@code ostore rebuild} then rebuilds every replica from the fragments alone, all four reach
 * the same store digests, and the restarted ring serves every version byte for byte with its
 * certificate and commits a guarded update on top.
 */
@Timeout(400)
class ArchiveRebuildRingTest {
    private static final int BLOCK = Limits.DEFAULT.maxBlockBytes();
    private static final int STRIPE = 6 << 20;
    private static final String GRACE = "ostore.archive.grace-seconds";

    @TempDir
    Path dir;

    @BeforeEach
    void shortGrace() {
        System.setProperty(GRACE, "1");
    }

    @AfterEach
    void defaultGrace() {
        System.clearProperty(GRACE);
    }

    private Path ringDir() {
        return dir.resolve("ring");
    }

    @Test
    void everyReplicaRebuildsFromTheArchiveAloneAndTheRingGoesOn() throws IOException {
        // Each object's versions in order: 0 B, one byte, block boundaries, two stripes.
        Map<String, List<byte[]>> objects = new LinkedHashMap<>();
        objects.put("empty", List.of(new byte[0], new byte[] {7}, new byte[0]));
        objects.put("small", List.of(new byte[] {42}, random(BLOCK + 1, 1), random(2 * BLOCK, 2)));
        objects.put("stripes", List.of(random(STRIPE + 1, 3), random(BLOCK / 2, 4)));
        SigningKey key = SigningKey.generate(new SecureRandom());
        RingSpec spec;
        Path ringFile;
        Map<String, List<Vguid>> vguids = new LinkedHashMap<>();
        try (EmbeddedRing ring = EmbeddedRing.start(ringDir(), "127.0.0.1", 0, Limits.DEFAULT,
                LogStores.Preference.SEGMENT)) {
            spec = ring.spec();
            ringFile = ring.ringFile();
            try (OstoreClient client = OstoreClient.connectRing(spec, key, RingPolicy.DEFAULT)) {
                for (Map.Entry<String, List<byte[]>> o : objects.entrySet()) {
                    List<Vguid> names = new ArrayList<>();
                    for (byte[] content : o.getValue()) {
                        UpdateResult r = client.put(o.getKey(), content);
                        assertTrue(r.committed(), o.getKey());
                        names.add(r.vguid());
                    }
                    vguids.put(o.getKey(), names);
                }
            }
            awaitDrained(ringFile);
        }

        // Every replica's version data, log and archive queue gone (their keys are kept); 3 storage nodes down.
        for (int i = 0; i < spec.n(); i++) {
            Path replica = ringDir().resolve("replica-" + i);
            for (String part : List.of("versions", "log", "archive")) {
                deleteTree(replica.resolve(part));
            }
        }
        List<StorageNode> up = new ArrayList<>();
        try {
            for (int j : range(3, 9)) {
                RingSpec.StorageAddress a = spec.storageNodes().get(j);
                up.add(StorageNode.start(ringDir().resolve("storage-" + j), a.host(), a.port()));
            }
            List<String> digests = new ArrayList<>();
            for (int i = 0; i < spec.n(); i++) {
                Run r = rebuild(ringFile, i);
                assertEquals(Main.OK, r.exit(), r.out() + r.err());
                assertTrue(r.out().contains("rebuilt " + replicaDir(i) + " from the archive: 8 versions installed"),
                        r.out());
                assertTrue(r.out().contains("storage nodes down: [0, 1, 2]"), r.out());
                digests.add(r.out().lines().filter(l -> l.contains(" store digest ")).toList().toString());
            }
            assertEquals(1, digests.stream().distinct().count(), "every replica reached the same store: " + digests);

            // A rebuilt store is not rebuilt over; one cut short (marker present) is finished, changing nothing.
            Run again = rebuild(ringFile, 0);
            assertEquals(Main.USAGE, again.exit(), again.out());
            assertTrue(again.err().contains("a rebuilt replica starts with a fresh log and an empty store"), again.err());
            ArchiveRebuild.markStarted(replicaDir(0));
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> ReplicaNode.start(
                    new ReplicaNode.Config(spec, 0, KeyFiles.load(replicaDir(0).resolve("replica.key")), replicaDir(0),
                            Limits.DEFAULT, LogStores.Preference.SEGMENT)));
            assertTrue(refused.getMessage().contains("has not finished"), refused.getMessage());
            Run finish = rebuild(ringFile, 0);
            assertEquals(Main.OK, finish.exit(), finish.out() + finish.err());
            assertTrue(finish.out().contains("0 versions installed (0 bytes), 8 already there"), finish.out());
            assertEquals(digests.getFirst(), finish.out().lines().filter(l -> l.contains(" store digest ")).toList()
                    .toString());
            assertTrue(Files.notExists(replicaDir(0).resolve(ArchiveRebuild.MARKER)));
        } finally {
            up.forEach(StorageNode::close);
        }

        try (EmbeddedRing ring = EmbeddedRing.start(ringDir(), "127.0.0.1", 0, Limits.DEFAULT,
                LogStores.Preference.SEGMENT);
                OstoreClient client = OstoreClient.connectRing(ring.spec(), key, RingPolicy.DEFAULT)) {
            for (Map.Entry<String, List<byte[]>> o : objects.entrySet()) {
                Aguid aguid = client.aguidOf(o.getKey());
                List<byte[]> contents = o.getValue();
                for (int seq = 1; seq <= contents.size(); seq++) {
                    VerifiedVersion v = client.read(aguid, Selectors.seq(seq));
                    assertArrayEquals(contents.get(seq - 1), v.data(), o.getKey() + " seq " + seq + " byte for byte");
                    assertEquals(vguids.get(o.getKey()).get(seq - 1), v.vguid(), "the VGUID the ring certified");
                    v.certificate().check(ring.spec().keys(), ring.spec().f());
                    assertEquals(v.vguid().hash(), v.certificate().leaf().vguid());
                }
                long latest = contents.size();
                UpdateResult next = client.submit(Updates.forObject(aguid)
                        .when(Predicates.version(Comparison.EQ, latest)).then(Actions.append(new byte[] {1, 2, 3}))
                        .build());
                assertTrue(next.committed(), o.getKey() + ": a guarded update on top of the rebuilt version");
                assertEquals(latest + 1, next.root().seq());
                assertEquals(vguids.get(o.getKey()).getLast(), next.root().predecessor().orElseThrow());
                assertEquals(latest + 1, client.read(aguid, Selectors.latest()).root().seq());
            }
        }
    }

    private Path replicaDir(int i) {
        return ringDir().resolve("replica-" + i);
    }

    private Run rebuild(Path ringFile, int replica) {
        return run("rebuild", "--config", ringFile.toString(), "--data", replicaDir(replica).toString());
    }
}
