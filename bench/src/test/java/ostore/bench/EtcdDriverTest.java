package ostore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ostore.bench.LoadDriver.LatencySummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The etcd side of workload (a) end to end with a tiny load (a real three-member cluster on
 * loopback): it runs, counts every measured update and prints a row of the ostore driver's shape.
 * No timing is asserted.
 */
@Timeout(90)
class EtcdDriverTest {
    @Test
    void aTinyRunProducesARowOfTheLoadDriversShape() throws Exception {
        LatencySummary s = EtcdDriver.runOnFreshCluster(2, 5, 2, 4096);
        assertEquals(10, s.updates());
        assertEquals(2, s.clients());
        assertEquals(4096, s.payloadBytes());
        assertTrue(s.p50Ms() > 0 && s.p50Ms() <= s.p99Ms() && s.p99Ms() <= s.maxMs(), s.toString());
        assertTrue(s.cpuMsPerUpdate() > 0, s.toString());
        String row = s.toMarkdownRow();
        assertTrue(row.startsWith("| txn | 4,096 B | 2 | 10 | "), row);
        assertEquals(10, row.chars().filter(c -> c == '|').count(), row);
    }

    @Test
    void aFailedCompareEndsTheRunInsteadOfCountingAsAnUpdate() throws Exception {
        // Each key has one writer, so a compare that fails means the driver lost track of its
        // key's mod_revision: the Txn must throw, not count as a measured update.
        try (var cluster = ostore.bench.etcd.EtcdCluster.start();
                var client = io.etcd.jetcd.Client.builder()
                        .endpoints(cluster.clientEndpoints().toArray(String[]::new)).build()) {
            var kv = client.getKVClient();
            var key = io.etcd.jetcd.ByteSequence.from("k", java.nio.charset.StandardCharsets.UTF_8);
            var value = io.etcd.jetcd.ByteSequence.from(new byte[16]);
            long revision = kv.put(key, value).get().getHeader().getRevision();
            long next = EtcdDriver.guardedPut(kv, key, revision, value);
            assertTrue(next > revision);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EtcdDriver.guardedPut(kv, key, revision, value));
            assertTrue(e.getMessage().contains("failed its compare"), e.getMessage());
        }
    }

    @Test
    void summariesAreNearestRankPercentilesOverEveryClient() {
        // Shared with LoadDriver: one implementation for ostore's rows and etcd's.
        long ms = 1_000_000;
        LatencySummary s = LatencySummary.of("txn", 4096, 2,
                List.of(new long[] {4 * ms, 1 * ms}, new long[] {3 * ms, 2 * ms}), 2_000_000_000L, 8 * ms);
        assertEquals(4, s.updates());
        assertEquals(2.0, s.p50Ms());
        assertEquals(4.0, s.p99Ms());
        assertEquals(4.0, s.maxMs());
        assertEquals(2.0, s.updatesPerSecond());
        assertEquals(2.0, s.cpuMsPerUpdate());
        assertThrows(IllegalArgumentException.class,
                () -> LatencySummary.of("txn", 4096, 1, List.of(new long[0]), 1, 1));
    }
}
