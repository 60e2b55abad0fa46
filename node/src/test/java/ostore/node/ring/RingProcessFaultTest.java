package ostore.node.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import ostore.api.v1.ReplicaStatusReply;
import ostore.client.OstoreClient;
import ostore.client.RingPolicy;
import ostore.client.Selectors;
import ostore.client.VerifiedVersion;
import ostore.crypto.SigningKey;
import ostore.crypto.Vguid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four {@code ostore replica} processes on loopback under load from several client threads of the
 * SDK's ring client; replicas are SIGKILLed, wiped and restarted. Checked: the ring keeps
 * acknowledging updates, every acknowledged (object, seq) reads back certified with the VGUID its
 * client was given, and a restarted replica catches up and holds those versions itself.
 *
 * <p>Few updates are written (well under the {@code 256} batches peers keep below a stable
 * checkpoint), so peers still hold the whole log when a replica comes back.
 */
@Timeout(180)
class RingProcessFaultTest {
    private static final int WRITERS = 3;
    /** Rides out a view change (1 s timeout below, doubling) with room to spare on 2 busy cores. */
    private static final RingPolicy POLICY = new RingPolicy(Duration.ofSeconds(2), 15);
    private static final long ACK_SECONDS = 60;
    private static final List<Integer> ALL = List.of(0, 1, 2, 3);

    @TempDir
    Path dir;

    private RingProcesses ring;

    @AfterEach
    void stop() {
        if (ring != null) {
            ring.close();
        }
    }

    private OstoreClient startRing() throws Exception {
        ring = RingProcesses.create(dir, Map.of("view-change-timeout-micros", 1_000_000L));
        ring.startAll();
        return OstoreClient.connectRing(ring.spec(), SigningKey.generate(new SecureRandom()), POLICY);
    }

    @Test
    void aKilledPrimaryIsReplacedLosesNothingAndCatchesUpOnRestart() throws Exception {
        try (OstoreClient client = startRing()) {
            RingWriters writers = RingWriters.start(client, WRITERS);
            writers.awaitAcks(10, ACK_SECONDS, "before any fault");
            int primary = ring.primary();
            ring.kill(primary);
            writers.awaitAcks(10, ACK_SECONDS, "after SIGKILL of primary " + primary);

            for (int i = 0; i < 4; i++) {
                if (i != primary) {
                    ReplicaStatusReply s = ring.status(i).orElseThrow(() -> new AssertionError("a survivor is silent"));
                    assertTrue(s.getView() > 0, "replica " + s.getId() + " is still in view 0");
                    assertNotEquals(primary, s.getPrimary(), "the killed replica is still primary at " + s.getId());
                }
            }

            ring.start(primary);
            writers.awaitAcks(5, ACK_SECONDS, "after restarting replica " + primary);
            writers.stop();
            ring.awaitCaughtUp(client, primary, ALL);
            checkAcknowledged(client, writers);
            checkHeldBy(primary, writers);
        }
    }

    @Test
    void aWipedBackupIsRebuiltByStateTransfer() throws Exception {
        try (OstoreClient client = startRing()) {
            RingWriters writers = RingWriters.start(client, WRITERS);
            writers.awaitAcks(10, ACK_SECONDS, "before any fault");
            int backup = (ring.primary() + 1) % 4;
            ring.kill(backup);
            ring.wipe(backup);
            writers.awaitAcks(10, ACK_SECONDS, "after SIGKILL of backup " + backup);
            ring.start(backup);
            writers.awaitAcks(5, ACK_SECONDS, "after restarting backup " + backup + " on an empty disk");
            writers.stop();
            ring.awaitCaughtUp(client, backup, ALL);
            checkAcknowledged(client, writers);
            checkHeldBy(backup, writers);
        }
    }

    /** Every acknowledged version reads back through the ring, certified, with the client's VGUID. */
    private static void checkAcknowledged(OstoreClient client, RingWriters writers) {
        for (int w = 0; w < writers.writers(); w++) {
            Map<Long, Vguid> acked = writers.acked(w);
            assertTrue(acked.size() > 0, "writer " + w + " got nothing acknowledged");
            for (Map.Entry<Long, Vguid> e : acked.entrySet()) {
                VerifiedVersion v = client.stat(writers.aguid(w), Selectors.seq(e.getKey()));
                assertEquals(e.getValue(), v.vguid(), "writer " + w + " seq " + e.getKey());
                assertNotNull(v.certificate(), "writer " + w + " seq " + e.getKey() + " has no certificate");
            }
            VerifiedVersion latest = client.stat(writers.aguid(w), Selectors.latest());
            assertEquals(acked.size(), latest.root().seq(), "writer " + w + ": versions beyond those acknowledged");
        }
    }

    /** Replica {@code id}'s own store holds every acknowledged version (asked alone, as a single server). */
    private void checkHeldBy(int id, RingWriters writers) {
        try (OstoreClient alone = OstoreClient.connect(ring.spec().replicas().get(id).target(),
                SigningKey.generate(new SecureRandom()), POLICY)) {
            for (int w = 0; w < writers.writers(); w++) {
                for (Map.Entry<Long, Vguid> e : writers.acked(w).entrySet()) {
                    assertEquals(e.getValue(), alone.stat(writers.aguid(w), Selectors.seq(e.getKey())).vguid(),
                            "replica " + id + ", writer " + w + " seq " + e.getKey());
                }
            }
        }
    }
}
