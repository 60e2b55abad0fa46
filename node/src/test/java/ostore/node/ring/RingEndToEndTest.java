package ostore.node.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import ostore.api.v1.Comparison;
import ostore.api.v1.HistoryEntry;
import ostore.client.Actions;
import ostore.client.OstoreClient;
import ostore.client.OstoreException;
import ostore.client.Predicates;
import ostore.client.RingFile;
import ostore.client.RingPolicy;
import ostore.client.Selectors;
import ostore.client.UpdateResult;
import ostore.client.Updates;
import ostore.client.VerifiedVersion;
import ostore.crypto.Aguid;
import ostore.crypto.Certificate;
import ostore.crypto.SigningKey;
import ostore.ring.log.LogStores;
import ostore.store.Limits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four replicas (f = 1) in this process over real gRPC on 127.0.0.1, driven through the SDK: every
 * update was accepted on f+1 matching signed results, every read carried a certificate that the
 * SDK checked against the ring file's keys.
 */
class RingEndToEndTest {
    /** Short attempts, so the test of a ring that cannot answer ends soon; two attempts still retransmit. */
    private static final RingPolicy POLICY = new RingPolicy(Duration.ofSeconds(3), 2);

    @TempDir
    Path dir;

    private EmbeddedRing ring;
    private OstoreClient client;

    @BeforeEach
    void start() throws IOException {
        ring = EmbeddedRing.start(dir, "127.0.0.1", 0, Limits.DEFAULT, LogStores.Preference.AUTO);
        client = OstoreClient.connectRing(RingFile.load(ring.ringFile()), SigningKey.generate(new SecureRandom()), POLICY);
    }

    @AfterEach
    void stop() {
        client.close();
        ring.close();
    }

    @Test
    void putUpdateAbortReadAndHistoryAreCertified() {
        UpdateResult created = client.put("notes", text("hello\n"));
        assertTrue(created.committed());
        assertEquals(1, created.root().seq());
        Aguid aguid = client.aguidOf("notes");

        UpdateResult appended = client.submit(Updates.forObject(aguid)
                .when(Predicates.version(Comparison.EQ, 1)).then(Actions.append(text("world\n"))).build());
        assertTrue(appended.committed());
        assertEquals(2, appended.root().seq());
        assertEquals(created.vguid(), appended.root().predecessor().orElseThrow());

        UpdateResult stale = client.submit(Updates.forObject(aguid)
                .when(Predicates.version(Comparison.EQ, 1)).then(Actions.append(text("lost\n"))).build());
        assertFalse(stale.committed(), "the predicate names a superseded version");
        assertEquals(2, stale.entry().getSeq());

        VerifiedVersion latest = client.read(aguid, Selectors.seq(2));
        assertArrayEquals(text("hello\nworld\n"), latest.data());
        assertCertifies(latest);
        VerifiedVersion first = client.read(aguid, Selectors.vguid(created.vguid()));
        assertArrayEquals(text("hello\n"), first.data());
        assertCertifies(first);

        List<HistoryEntry> history = client.history(aguid, 0, 0);
        assertEquals(3, history.size());
        assertEquals(List.of(ostore.api.v1.Outcome.COMMITTED, ostore.api.v1.Outcome.COMMITTED,
                ostore.api.v1.Outcome.ABORTED), history.stream().map(HistoryEntry::getOutcome).toList());
    }

    @Test
    void aStoppedBackupLeavesTheRingWorking() {
        client.put("before", text("1"));
        ring.replicas().get(3).close();

        UpdateResult after = client.put("after", text("2"));
        assertTrue(after.committed());
        VerifiedVersion read = client.read(client.aguidOf("after"), Selectors.latest());
        assertArrayEquals(text("2"), read.data());
        assertCertifies(read);
    }

    @Test
    void twoStoppedReplicasMakeTheRingUnavailableWithAClearError() {
        client.put("before", text("1"));
        ring.replicas().get(2).close();
        ring.replicas().get(3).close();

        OstoreException e = assertThrows(OstoreException.class, () -> client.put("after", text("2")));
        assertEquals(Status.Code.UNAVAILABLE, e.code());
        assertTrue(e.detail().contains("0 of 4 replicas answered"), e.detail());
        assertTrue(e.detail().contains("f+1 = 2 matching signed results"), e.detail());
    }

    @Test
    void concurrentWritersAreAllCertified() throws Exception {
        int writers = 4;
        int each = 10;
        List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(writers)) {
            for (int w = 0; w < writers; w++) {
                String name = "writer-" + w;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        client.submit(Updates.forObject(client.aguidOf(name)).create(client.key().publicKey(), name)
                                .when(Predicates.always()).then(Actions.append(text(i + ","))).build());
                    }
                    return each;
                }));
            }
            for (var f : done) {
                assertEquals(each, f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        }
        VerifiedVersion v = client.read(client.aguidOf("writer-2"), Selectors.latest());
        assertArrayEquals(text("0,1,2,3,4,5,6,7,8,9,"), v.data());
        assertCertifies(v);
    }

    /** Certificates were checked by the SDK; this checks the SDK did so against this very version. */
    private void assertCertifies(VerifiedVersion v) {
        Certificate c = v.certificate();
        assertNotNull(c, "a ring read carries a certificate");
        assertTrue(c.signatures().size() >= 3, "2f+1 signatures");
        assertTrue(c.verify(ring.spec().keys(), 1));
        assertEquals(v.vguid().hash(), c.leaf().vguid());
        assertEquals(v.root().seq(), c.leaf().seq());
        assertEquals(v.root().timestampMicros(), c.leaf().timestampMicros());
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
