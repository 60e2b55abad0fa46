package ostore.node.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import ostore.client.OstoreClient;
import ostore.client.OstoreException;
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
 * Four {@code ostore replica} processes on loopback, one of them started with {@code --byzantine}:
 * it runs the correct replica underneath but lies in what it sends, through the same tamper the
 * simulator uses. Clients of the SDK's ring client write under load. Checked: every update a
 * client had acknowledged reads back from each of the three correct replicas, certified by the
 * ring's keys, with the VGUID and the bytes its client was given, so no client accepted a result
 * the correct replicas do not hold; and the faulty replica's own log shows that it did lie.
 */
@Timeout(150)
class RingByzantineProcessTest {
    private static final int WRITERS = 3;
    private static final int ACKS = 10;
    /** Rides out a view change (1 s timeout below, doubling) with room to spare on 2 busy cores. */
    private static final RingPolicy POLICY = new RingPolicy(Duration.ofSeconds(2), 15);
    private static final long ACK_SECONDS = 60;
    private static final Pattern REPORT = Pattern.compile(
            "Byzantine replica (\\d+) \\(([a-z-]+)\\) so far: (\\d+) frames tampered with, (\\d+) client replies forged");

    @TempDir
    Path dir;

    private RingProcesses ring;

    @AfterEach
    void stop() {
        if (ring != null) {
            ring.close();
        }
    }

    /**
     * The view-0 primary sends one backup a different PRE-PREPARE for each slot than the other two
     * (another order of the same updates, or none of them). Whether the liar is outvoted slot by
     * slot or replaced by a view change (which is what happened in the runs seen so far), the three
     * correct replicas must end up holding exactly what clients were told, the deceived one included.
     */
    @Test
    void anEquivocatingPrimaryCannotSplitTheCorrectReplicas() throws Exception {
        int liar = 0;
        try (OstoreClient client = startRing(liar, "equivocate")) {
            assertEquals(liar, ring.primary(), "the Byzantine replica should be view 0's primary");
            RingWriters writers = RingWriters.start(client, WRITERS);
            writers.awaitAcks(ACKS, ACK_SECONDS, "under an equivocating primary");
            writers.stop();
            checkCorrectReplicasHoldEveryAck(client, writers, liar);
            assertTrue(lies(liar)[0] > 0, "replica " + liar + " never equivocated; its output:\n"
                    + RingProcesses.tail(ring.output(liar)));
        }
    }

    /**
     * A backup whose votes, checkpoints and results name wrong digests, some of whose frames are
     * garbled or replayed from older views, and whose signed replies to clients are, half the
     * time, validly signed forgeries of a later seq with a made-up VGUID. A client must never take
     * one replica's word: the forged replies are outvoted by f+1 matching correct ones.
     */
    @Test
    void aBackupForgingRepliesAndVotesFoolsNoClient() throws Exception {
        int liar = 1;
        try (OstoreClient client = startRing(liar, "mixed")) {
            assertTrue(ring.primary() != liar, "the Byzantine replica should be a backup");
            RingWriters writers = RingWriters.start(client, WRITERS);
            writers.awaitAcks(ACKS, ACK_SECONDS, "with a backup forging its replies");
            writers.stop();
            checkCorrectReplicasHoldEveryAck(client, writers, liar);
            long[] told = lies(liar);
            assertTrue(told[0] > 0 && told[1] > 0, "replica " + liar + " tampered with " + told[0] + " frames and forged "
                    + told[1] + " replies, both should be some; its output:\n" + RingProcesses.tail(ring.output(liar)));
        }
    }

    private OstoreClient startRing(int byzantine, String mode) throws Exception {
        ring = RingProcesses.create(dir, Map.of("view-change-timeout-micros", 1_000_000L));
        ring.extraArgs(byzantine, "--byzantine", mode, "--byzantine-seed", "7");
        ring.startAll();
        String warning = "replica " + byzantine + " runs in Byzantine test mode " + mode;
        assertTrue(ring.output(byzantine).contains(warning), "no start-up warning \"" + warning + "\" in:\n"
                + RingProcesses.tail(ring.output(byzantine)));
        return OstoreClient.connectRing(ring.spec(), SigningKey.generate(new SecureRandom()), POLICY);
    }

    /**
     * Each correct replica, asked alone but verified as a ring read (certificate against the ring's
     * keys, VGUID against root and blocks), returns every acknowledged version with the VGUID its
     * writer got and the bytes the writer appended up to it.
     */
    private void checkCorrectReplicasHoldEveryAck(OstoreClient client, RingWriters writers, int liar) {
        List<Integer> correct = IntStream.range(0, ring.spec().n()).filter(i -> i != liar).boxed().toList();
        for (int id : correct) {
            ring.awaitCaughtUp(client, id, correct);
        }
        for (int id : correct) {
            ManagedChannel channel = Grpc.newChannelBuilder(ring.spec().replicas().get(id).target(),
                    InsecureChannelCredentials.create()).build();
            // Every replica slot of this ring client is the one replica: reads cannot go elsewhere.
            try (OstoreClient only = OstoreClient.forRing(ring.spec(), Collections.nCopies(ring.spec().n(), channel),
                    SigningKey.generate(new SecureRandom()), POLICY)) {
                for (int w = 0; w < writers.writers(); w++) {
                    Map<Long, Vguid> acked = writers.acked(w);
                    assertTrue(acked.size() > 0, "writer " + w + " got nothing acknowledged");
                    StringBuilder content = new StringBuilder();
                    for (Map.Entry<Long, Vguid> e : acked.entrySet()) {
                        content.append("writer-").append(w).append(':').append(e.getKey()).append(',');
                        String where = "replica " + id + ", writer " + w + " seq " + e.getKey();
                        VerifiedVersion v;
                        try {
                            v = only.read(writers.aguid(w), Selectors.seq(e.getKey()));
                        } catch (OstoreException x) {
                            throw new AssertionError(where + " does not read back: " + x.getMessage() + "\nits output:\n"
                                    + RingProcesses.tail(ring.output(id)), x);
                        }
                        assertEquals(e.getValue(), v.vguid(), where);
                        assertNotNull(v.certificate(), where + " has no certificate");
                        assertEquals(content.toString(), new String(v.data(), StandardCharsets.UTF_8), where);
                    }
                }
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /** The most frames tampered with and client replies forged that replica {@code id} reported. */
    private long[] lies(int id) {
        long[] most = new long[2];
        for (String line : ring.output(id).lines().toList()) {
            Matcher m = REPORT.matcher(line);
            if (m.find() && Integer.parseInt(m.group(1)) == id) {
                most[0] = Math.max(most[0], Long.parseLong(m.group(3)));
                most[1] = Math.max(most[1], Long.parseLong(m.group(4)));
            }
        }
        return most;
    }
}
