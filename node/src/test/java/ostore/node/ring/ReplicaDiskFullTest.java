package ostore.node.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import ostore.client.OstoreClient;
import ostore.client.OstoreException;
import ostore.client.RingFile;
import ostore.client.RingPolicy;
import ostore.client.Selectors;
import ostore.client.UpdateResult;
import ostore.client.VerifiedVersion;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;
import ostore.ring.log.LogStores;
import ostore.store.Limits;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica whose store's disk fills stops, tells every caller why (UNAVAILABLE), and starts again
 * by itself once the disk has room: recovery replays its log, it catches up with its peers, and it
 * holds every version the ring acknowledged meanwhile, certified. Replica 3's version store gets a
 * small tmpfs of its own (mounted for the test where the machine lets it, as root), so it is the
 * store, not the log, that meets the full disk; the other three order without it.
 */
class ReplicaDiskFullTest {
    private static final RingPolicy POLICY = new RingPolicy(Duration.ofSeconds(3), 2);
    /** How long the replica may take to stop, and to catch up once the disk has room (a bound, not a figure). */
    private static final long PATIENCE_MILLIS = 120_000;
    /**
     * Large, so the store meets the full disk soon: RocksDB writes its WAL into room it reserved
     * ahead (a tenth more than a memtable, about 70 MiB), so the disk's end is met only when the
     * memtable is flushed to a table file or a new WAL is started.
     */
    private static final int UPDATE_BYTES = 4 << 20;

    @TempDir
    Path dir;

    @Test
    void aReplicaWhoseStoreDiskFilledStartsAgainByItselfOnceTheDiskHasRoom() throws Exception {
        Path versions = dir.resolve("replica-3").resolve("versions");
        Files.createDirectories(versions);
        Assumptions.assumeTrue(mountTmpfs(versions), "needs root to mount a small tmpfs");
        try (EmbeddedRing ring = EmbeddedRing.start(dir, "127.0.0.1", 0, Limits.DEFAULT, LogStores.Preference.SEGMENT);
                OstoreClient client = OstoreClient.connectRing(RingFile.load(ring.ringFile()),
                        SigningKey.generate(new SecureRandom()), POLICY);
                OstoreClient replica3 = OstoreClient.connect(ring.spec().replicas().get(3).target(),
                        SigningKey.generate(new SecureRandom()), POLICY)) {
            Aguid doc = client.aguidOf("doc");
            Map<Long, byte[]> acked = new TreeMap<>();
            put(client, acked);
            waitUntil(() -> holds(replica3, doc, acked.size()), "replica 3 to hold version 1");

            Path ballast = versions.resolve("ballast");
            fill(ballast);
            // The ring goes on with the other three; replica 3 meets the full disk when it runs a batch.
            String refusal = null;
            for (int i = 0; i < 60 && refusal == null; i++) {
                put(client, acked);
                refusal = refusal(replica3, doc);
            }
            assertNotNull(refusal, "replica 3 never said its disk is full");
            assertTrue(refusal.contains("replica 3 is stopped: its disk is full")
                    && refusal.contains("starts again by itself"), refusal);
            put(client, acked);

            Files.delete(ballast);
            waitUntil(() -> holds(replica3, doc, acked.size()), "replica 3 to start again and catch up");
            for (Map.Entry<Long, byte[]> e : acked.entrySet()) {
                VerifiedVersion held = replica3.read(doc, Selectors.seq(e.getKey()));
                assertArrayEquals(e.getValue(), held.data(), "replica 3, version " + e.getKey());
                VerifiedVersion certified = client.read(doc, Selectors.seq(e.getKey()));
                assertArrayEquals(e.getValue(), certified.data(), "the ring, version " + e.getKey());
                assertNotNull(certified.certificate(), "version " + e.getKey());
            }
        } finally {
            new ProcessBuilder("umount", "-l", versions.toString()).inheritIO().start().waitFor();
        }
    }

    private static void put(OstoreClient client, Map<Long, byte[]> acked) {
        byte[] data = new byte[UPDATE_BYTES];
        new SecureRandom().nextBytes(data);
        UpdateResult r = client.put("doc", data);
        assertTrue(r.committed());
        acked.put(r.root().seq(), data);
    }

    /** Whether the replica answers that it holds version {@code seq}. */
    private static boolean holds(OstoreClient replica, Aguid doc, long seq) {
        try {
            return replica.stat(doc, Selectors.latest()).root().seq() >= seq;
        } catch (OstoreException e) {
            return false;
        }
    }

    /** What the replica answers while stopped (UNAVAILABLE's message), or null while it still serves. */
    private static String refusal(OstoreClient replica, Aguid doc) {
        try {
            replica.stat(doc, Selectors.latest());
            return null;
        } catch (OstoreException e) {
            return e.code() == Status.Code.UNAVAILABLE && e.detail().contains("disk is full") ? e.detail() : null;
        }
    }

    /** Writes {@code ballast} until the disk has no room left. */
    private static void fill(Path ballast) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(ballast)) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException e) {
            assertTrue(String.valueOf(e.getMessage()).contains("No space left on device"), e.toString());
        }
    }

    private static void waitUntil(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + PATIENCE_MILLIS;
        while (!done.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "waited " + PATIENCE_MILLIS + " ms for " + what);
            Thread.sleep(200);
        }
    }

    private static boolean mountTmpfs(Path at) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        // Room for the store's reserved WAL and for the replica's 64 MiB start-again margin once the ballast is gone.
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256m", "ostore-disk-full-test", at.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
