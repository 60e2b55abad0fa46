package ostore.bench.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real three-member etcd cluster on loopback (Debian's {@code etcd}, installed by
 * {@code scripts/install-etcd}): it starts with a leader, serves a compare-then-put Txn, and leaves
 * neither a process nor a directory behind, whether it was closed or never came up.
 */
@Timeout(90)
class EtcdClusterTest {
    private static final long WAIT_SECONDS = 20;

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void startsWithALeaderServesATxnAndLeavesNothingBehind() throws Exception {
        EtcdCluster cluster = EtcdCluster.start();
        List<EtcdCluster.Member> members = cluster.members();
        Path root = cluster.root();
        try (cluster; Client client = Client.builder().endpoints(cluster.clientEndpoints().toArray(String[]::new))
                .build()) {
            assertEquals(3, members.size());
            Set<Long> leaders = new HashSet<>();
            Set<Long> memberIds = new HashSet<>();
            for (String endpoint : cluster.clientEndpoints()) {
                var status = client.getMaintenanceClient().statusMember(endpoint).get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertNotEquals(0, status.getLeader(), endpoint + " knows no leader");
                leaders.add(status.getLeader());
                memberIds.add(status.getHeader().getMemberId());
            }
            assertEquals(1, leaders.size(), "every member names the same leader");
            assertEquals(3, memberIds.size(), "three distinct members answered");
            assertTrue(memberIds.containsAll(leaders), "the leader is one of the members");

            KV kv = client.getKVClient();
            ByteSequence key = bytes("k");
            long created = kv.put(key, bytes("v1")).get(WAIT_SECONDS, TimeUnit.SECONDS).getHeader().getRevision();
            TxnResponse stale = kv.txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(created - 1)))
                    .Then(Op.put(key, bytes("stale"), PutOption.DEFAULT))
                    .commit().get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertFalse(stale.isSucceeded(), "a compare against an old mod_revision fails");
            TxnResponse fresh = kv.txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(created)))
                    .Then(Op.put(key, bytes("v2"), PutOption.DEFAULT))
                    .commit().get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(fresh.isSucceeded(), "a compare against the current mod_revision succeeds");
            var read = kv.get(key).get(WAIT_SECONDS, TimeUnit.SECONDS).getKvs();
            assertEquals(1, read.size());
            assertEquals("v2", read.getFirst().getValue().toString(StandardCharsets.UTF_8));
            assertEquals(fresh.getHeader().getRevision(), read.getFirst().getModRevision());
            assertTrue(cluster.cpuTime().toNanos() > 0);
        }
        assertAllGone(members, root);
        cluster.close(); // again: nothing left to do
    }

    @Test
    void aMemberThatCannotStartFailsTheStartWithItsLogAndLeavesNothingBehind(@TempDir Path parent)
            throws IOException {
        EtcdCluster.Config bogus = EtcdCluster.Config.defaults().withParentDir(parent)
                .withExtraArgs(List.of("--no-such-etcd-flag"));
        long before = etcdChildren();
        IOException e = assertThrows(IOException.class, () -> EtcdCluster.start(bogus));
        assertTrue(e.getMessage().contains("exited with status"), e.getMessage());
        // etcd's own complaint, from the member's log, is in the message.
        assertTrue(e.getMessage().contains("no-such-etcd-flag"), e.getMessage());
        assertTrue(e.getMessage().contains("--- m0 ("), e.getMessage());
        assertEquals(before, etcdChildren(), "no etcd child left running");
        assertEmpty(parent);
    }

    @Test
    void membersRunningButNotReadyInTimeAreStoppedAndReported(@TempDir Path parent) throws IOException {
        // Members that cannot elect a leader for at least 50 s (no first-election shortcut), against a
        // 2 s wait: the bounded wait ends the start while all three processes run, whatever the
        // machine's speed, and they must all be stopped.
        EtcdCluster.Config d = EtcdCluster.Config.defaults();
        EtcdCluster.Config leaderless = new EtcdCluster.Config(d.executable(), d.members(), Duration.ofSeconds(2),
                List.of("--heartbeat-interval=5000", "--election-timeout=50000", "--initial-election-tick-advance=false"),
                parent);
        long before = etcdChildren();
        IOException e = assertThrows(IOException.class, () -> EtcdCluster.start(leaderless));
        assertTrue(e.getMessage().contains("not healthy after PT2S"), e.getMessage());
        for (String name : List.of("m0", "m1", "m2")) {
            assertTrue(e.getMessage().contains("--- " + name + " ("), e.getMessage());
        }
        assertEquals(before, etcdChildren(), "no etcd child left running");
        assertEmpty(parent);
    }

    @Test
    void aMissingBinaryIsNamed(@TempDir Path parent) throws IOException {
        EtcdCluster.Config missing = new EtcdCluster.Config("no-such-etcd-binary", 3, Duration.ofSeconds(5), List.of(),
                parent);
        IOException e = assertThrows(IOException.class, () -> EtcdCluster.start(missing));
        assertTrue(e.getMessage().contains("no no-such-etcd-binary on the PATH"), e.getMessage());
        assertTrue(e.getMessage().contains("scripts/install-etcd"), e.getMessage());
        assertEmpty(parent);
    }

    private static void assertEmpty(Path dir) throws IOException {
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "the cluster's directory is deleted");
        }
    }

    private static void assertAllGone(List<EtcdCluster.Member> members, Path root) {
        for (EtcdCluster.Member m : members) {
            assertFalse(m.process().isAlive(), m.name() + " still running");
            assertFalse(m.process().toHandle().isAlive(), m.name() + " still running");
            assertFalse(Files.exists(m.dataDir()), m.dataDir() + " still there");
        }
        assertFalse(Files.exists(root), root + " still there");
    }

    /** etcd processes this JVM started and that still run. */
    private static long etcdChildren() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/etcd")).orElse(false))
                .count();
    }

}
