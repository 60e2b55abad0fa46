package ostore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
    void aTinyRunProducesAResultRow() throws Exception {
        Result s = EtcdDriver.runOnFreshCluster(2, 5, 2, 4096);
        assertEquals(10, s.ops());
        assertEquals(0, s.aborts());
        assertEquals(2, s.clients());
        assertEquals(4096, s.payloadBytes());
        assertEquals("etcd", s.system());
        assertTrue(s.p50Ms() > 0 && s.p50Ms() <= s.p99Ms() && s.p99Ms() <= s.maxMs(), s.toString());
        assertTrue(s.cpuMsPerOp() > 0, s.toString());
        assertEquals(s, Result.parse(s.toLine()));
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
}
