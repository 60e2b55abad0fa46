package ostore.node.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import ostore.client.OstoreClient;
import ostore.client.RingFile;
import ostore.client.RingPolicy;
import ostore.client.RingSpec;
import ostore.client.Selectors;
import ostore.client.UpdateResult;
import ostore.client.VerifiedVersion;
import ostore.crypto.SigningKey;
import ostore.ring.log.LogStores;
import ostore.store.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single node is a ring of one ({@code ostore up --single}): one replica over real gRPC, the same
 * core, certificates and data format as a ring of four, with f = 0. Its ring file lists it; the SDK
 * accepts its one signed result and checks its one-signature certificates against that key.
 */
class RingOfOneNodeTest {
    private static final RingPolicy POLICY = new RingPolicy(Duration.ofSeconds(3), 2);

    @TempDir
    Path dir;

    private static EmbeddedRing ringOfOne(Path dir) throws IOException {
        return EmbeddedRing.start(dir, "127.0.0.1", 0, Limits.DEFAULT, LogStores.Preference.AUTO, 0, 1, 0);
    }

    @Test
    void aRingOfOneCommitsCertifiedVersionsAndKeepsThemAcrossARestart() throws IOException {
        SigningKey key = SigningKey.generate(new SecureRandom());
        byte[] content = "one replica, certified\n".getBytes(StandardCharsets.UTF_8);
        RingSpec spec;
        try (EmbeddedRing ring = ringOfOne(dir)) {
            spec = RingFile.load(ring.ringFile());
            assertEquals(1, spec.n());
            assertEquals(0, spec.f());
            try (OstoreClient client = OstoreClient.connectRing(spec, key, POLICY)) {
                UpdateResult put = client.put("notes", content);
                assertTrue(put.committed());
                VerifiedVersion v = client.read(client.aguidOf("notes"), Selectors.latest());
                assertNotNull(v.certificate(), "the version came with its certificate, checked against the ring file");
                assertArrayEquals(content, v.data());
            }
        }
        try (EmbeddedRing ring = ringOfOne(dir); OstoreClient client = OstoreClient.connectRing(spec, key, POLICY)) {
            VerifiedVersion v = client.read(client.aguidOf("notes"), Selectors.latest());
            assertEquals(1, v.root().seq());
            assertArrayEquals(content, v.data(), "the version survived the restart");
            assertTrue(client.put("notes", content).committed(), "and the ring of one goes on ordering");
        }
    }

    @Test
    void aDataDirectoryOfTheOldSingleNodeIsRefusedUntouched() throws IOException {
        Files.createDirectories(dir.resolve("log"));
        Files.createDirectories(dir.resolve("versions"));
        IOException e = assertThrows(IOException.class, () -> ringOfOne(dir));
        assertTrue(e.getMessage().contains("single node's data in the format of ostore before"), e.getMessage());
        assertFalse(Files.exists(dir.resolve(EmbeddedRing.RING_FILE)), "no ring file was written");
        assertEquals(List.of("log", "versions"), Files.list(dir).map(p -> p.getFileName().toString()).sorted().toList());
    }
}
