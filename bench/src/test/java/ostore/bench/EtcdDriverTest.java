package ostore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import ostore.bench.etcd.EtcdCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The etcd side of workloads (a), (b) and (c) end to end with a tiny load (a real three-member
 * cluster on loopback): each runs, counts every measured operation (and, on the hot key, every
 * abort) and prints a row of the ostore driver's shape; SPECs it cannot run are refused before
 * anything starts. No timing is asserted.
 */
@Timeout(90)
class EtcdDriverTest {
    @Test
    void oneClusterRunsASuiteOfEveryEtcdWorkload() throws Exception {
        List<WorkloadSpec> specs = List.of(WorkloadSpec.parse("a:2:3:1:4096"), WorkloadSpec.parse("b:3:5:1:4096"),
                WorkloadSpec.parse("c-latest:2:3:1:4096"), WorkloadSpec.parse("c-old:2:3:1:4096"));
        List<String> lines = new ArrayList<>();
        try (GcPauses gc = GcPauses.start();
                EtcdCluster cluster = EtcdCluster.start();
                Client client = Client.builder().endpoints(cluster.clientEndpoints().toArray(String[]::new)).build()) {
            List<Result> results = EtcdDriver.suite(cluster, specs, gc, r -> lines.add(r.toLine()));
            assertEquals(4, lines.size());
            for (int i = 0; i < specs.size(); i++) {
                WorkloadSpec spec = specs.get(i);
                Result r = Result.parse(lines.get(i));
                assertEquals(results.get(i), r);
                assertEquals("etcd", r.system());
                assertEquals(spec.workload(), r.workload());
                assertEquals(spec.updates() ? "txn" : "get", r.op());
                assertEquals((long) spec.clients() * spec.opsPerClient(), r.ops(), r.toString());
                assertEquals(spec.clients(), r.clients());
                assertEquals(4096, r.payloadBytes());
                assertTrue(r.gc() != null && r.gc().collector().equals(GcPauses.collector()), r.toString());
                if (!spec.workload().equals("b")) {
                    assertEquals(0, r.aborts(), r.toString());
                }
            }

            // The hot key: one put before the clients, the warm-up's commits (at least one of its
            // first round, at most one per attempt), then the measured commits. etcd counts every
            // put in the key's version; the driver itself fails the row unless the count is exact.
            KV kv = client.getKVClient();
            Result b = results.get(1);
            long commits = b.ops() - b.aborts();
            KeyValue hot = EtcdOps.current(kv, EtcdDriver.hotKey(1));
            assertTrue(hot.getVersion() >= 1 + 1 + commits && hot.getVersion() <= 1 + 3 * 1 + commits,
                    hot.getVersion() + " for " + b);

            // Each (c) key holds max(WARMUP, 8) versions, the last one what c-latest read.
            KeyValue latest = EtcdOps.current(kv, EtcdDriver.key(2, "c-latest", 0));
            assertEquals(WorkloadSpec.MIN_PREPARED_VERSIONS, latest.getVersion());
            assertEquals(4096, latest.getValue().size());

            // c-old reads by revision: once etcd compacts the store those revisions are gone, and the
            // driver says so instead of measuring an error.
            ByteSequence oldKey = EtcdDriver.key(3, "c-old", 0);
            KeyValue now = EtcdOps.current(kv, oldKey);
            long first = now.getCreateRevision();
            EtcdOps.check(EtcdOps.get(kv, oldKey, first), oldKey, first, 1, 4096);
            EtcdOps.await(kv.compact(now.getModRevision()));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> EtcdOps.get(kv, oldKey, first));
            assertTrue(e.getMessage().contains("compacted revision " + first + " of spec3/c-old/0"), e.getMessage());
            IllegalStateException wrong = assertThrows(IllegalStateException.class,
                    () -> EtcdOps.check(now, oldKey, now.getModRevision(), now.getVersion(), 4095));
            assertTrue(wrong.getMessage().startsWith("wrong read"), wrong.getMessage());
        }
    }

    @Test
    void specsEtcdCannotRunAreRefusedBeforeAnythingStarts() {
        for (String[] refused : List.of(
                new String[] {"d:1:10:3:2097152", "workload d (2 MiB updates) is ostore only", "1572864"},
                new String[] {"e-all-up:1:1:0:4096", "has no etcd counterpart"},
                new String[] {"a:1:1:0:2000000", "PAYLOAD_BYTES 2000000 does not fit one etcd request"},
                new String[] {"a:1:x:0:4096", "OPS_PER_CLIENT 'x' is not a whole number"})) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = EtcdDriver.run(new String[] {"suite", "a:1:1:0:16", refused[0]},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String message = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, status, message);
            assertEquals("", out.toString(StandardCharsets.UTF_8));
            assertTrue(message.contains("spec '" + refused[0] + "'"), message);
            for (int i = 1; i < refused.length; i++) {
                assertTrue(message.contains(refused[i]), message);
            }
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, EtcdDriver.run(new String[] {"a:1:1:0:16"}, System.out, new PrintStream(err, true,
                StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage: EtcdDriver suite SPEC..."));
    }

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
