package ostore.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ostore.api.v1.Comparison;
import ostore.client.Actions;
import ostore.client.OstoreClient;
import ostore.client.OstoreException;
import ostore.client.Predicates;
import ostore.client.Selectors;
import ostore.client.UpdateResult;
import ostore.client.Updates;
import ostore.client.VerifiedVersion;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;
import ostore.crypto.Vguid;
import ostore.ring.log.LogStoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the node as a separate process, streams guarded appends from several clients, SIGKILLs the
 * node at a random moment, restarts it on the same data directory and checks that every
 * acknowledged update is there with the VGUID the client was given, and that the content of each
 * object is exactly its acknowledged appends (plus at most the one in flight at the kill).
 */
class CrashRecoveryTest {
    private static final int CLIENTS = 4;
    private static final int KILLS = 3;
    private static final Pattern LISTENING = Pattern.compile("listening on ([0-9.]+):(\\d+)");

    @TempDir
    Path dir;

    /** What a client was told: seq → VGUID, and the appended payload for each seq. */
    private record Acked(Map<Long, Vguid> vguids, Map<Long, byte[]> payloads) {
        Acked() {
            this(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        }
    }

    @Test
    void everyAcknowledgedUpdateSurvivesSigkill() throws Exception {
        long seed = Long.getLong("ostore.test.seed", new SecureRandom().nextLong());
        Random random = new Random(seed);
        SigningKey key = SigningKey.fromSeed(seedBytes(random));
        Path data = dir.resolve("data");
        Acked[] acked = new Acked[CLIENTS];
        for (int c = 0; c < CLIENTS; c++) {
            acked[c] = new Acked();
        }
        for (int round = 0; round < KILLS; round++) {
            Process node = startNode(data);
            try (OstoreClient client = OstoreClient.connect(target(node), key)) {
                checkSurvivors(client, acked, "after restart " + round + " (seed " + seed + ")");
                streamUntilKilled(client, node, acked, 20 + random.nextInt(200), random.nextLong());
            } finally {
                node.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        Process node = startNode(data);
        try (OstoreClient client = OstoreClient.connect(target(node), key)) {
            checkSurvivors(client, acked, "after the last restart (seed " + seed + ")");
        } finally {
            node.destroy();
            node.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Clients append until {@code killAfter} updates are acknowledged in all, then SIGKILL. */
    private void streamUntilKilled(OstoreClient client, Process node, Acked[] acked, int killAfter, long seed)
            throws InterruptedException {
        CountDownLatch enough = new CountDownLatch(killAfter);
        AtomicBoolean killed = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        // A client thread's assertion must fail the test, not just end the thread.
        java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int c = 0; c < CLIENTS; c++) {
            int index = c;
            Random random = new Random(seed + c);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    appendLoop(client, index, acked[index], random, enough, killed);
                } catch (Throwable t) {
                    failures.add(t);
                    for (long i = enough.getCount(); i > 0; i--) {
                        enough.countDown();
                    }
                }
            }));
        }
        assertTrue(enough.await(120, TimeUnit.SECONDS), "clients made no progress");
        killed.set(true);
        node.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!t.isAlive(), "a client thread did not stop after the kill");
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("a client failed before the kill (seed " + seed + ")", failures.peek());
        }
    }

    private static void appendLoop(OstoreClient client, int index, Acked acked, Random random,
            CountDownLatch enough, AtomicBoolean killed) {
        String name = "crash-" + index;
        Aguid aguid = client.aguidOf(name);
        while (!killed.get()) {
            long seq = acked.vguids().keySet().stream().mapToLong(Long::longValue).max().orElse(0);
            byte[] payload = new byte[1 + random.nextInt(3 * 4096)];
            random.nextBytes(payload);
            var update = Updates.forObject(aguid)
                    .create(client.key().publicKey(), name)
                    .when(Predicates.version(Comparison.EQ, seq))
                    .then(Actions.append(payload))
                    .build();
            try {
                UpdateResult r = client.submit(update);
                assertTrue(r.committed(), "a single writer's guarded append aborted at seq " + seq);
                acked.payloads().put(r.root().seq(), payload);
                acked.vguids().put(r.root().seq(), r.vguid());
                enough.countDown();
            } catch (OstoreException e) {
                if (!killed.get()) {
                    throw e;
                }
                return;
            }
        }
    }

    private static void checkSurvivors(OstoreClient client, Acked[] acked, String when) {
        for (int c = 0; c < CLIENTS; c++) {
            Acked a = acked[c];
            if (a.vguids().isEmpty()) {
                continue;
            }
            Aguid aguid = client.aguidOf("crash-" + c);
            long lastAcked = a.vguids().keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            VerifiedVersion latest = client.read(aguid, Selectors.latest());
            assertTrue(latest.root().seq() >= lastAcked,
                    "object " + c + " lost acknowledged versions " + when + ": latest " + latest.root().seq()
                            + " < acknowledged " + lastAcked);
            assertTrue(latest.root().seq() <= lastAcked + 1,
                    "object " + c + " has versions no client sent " + when);
            for (var e : a.vguids().entrySet()) {
                VerifiedVersion v = client.read(aguid, Selectors.seq(e.getKey()));
                assertEquals(e.getValue(), v.vguid(), "object " + c + " seq " + e.getKey() + " changed " + when);
            }
            VerifiedVersion last = client.read(aguid, Selectors.seq(lastAcked));
            assertArrayEquals(expectedContent(a, lastAcked), last.data(), "object " + c + " content " + when);
            // The one update in flight at the kill may have committed; adopt it so later rounds agree.
            if (latest.root().seq() == lastAcked + 1) {
                a.vguids().put(latest.root().seq(), latest.vguid());
                byte[] prev = last.data();
                byte[] all = latest.data();
                a.payloads().put(latest.root().seq(), java.util.Arrays.copyOfRange(all, prev.length, all.length));
            }
        }
    }

    private static byte[] expectedContent(Acked a, long upTo) {
        var out = new java.io.ByteArrayOutputStream();
        for (long s = 1; s <= upTo; s++) {
            byte[] p = a.payloads().get(s);
            assertTrue(p != null, "no payload recorded for acknowledged seq " + s);
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static Process startNode(Path data) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-ea", "--enable-native-access=ALL-UNNAMED",
                "-D" + LogStoreConfig.POOL_MIB_PROPERTY + "=" + System.getProperty(LogStoreConfig.POOL_MIB_PROPERTY, "192"),
                "-cp", System.getProperty("java.class.path"), "ostore.node.cli.Main",
                "up", "--single", "--data", data.toString(), "--port", "0");
        pb.redirectErrorStream(true);
        Files.createDirectories(data);
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        return pb.start();
    }

    /** Reads the node's output until it says where it listens; keeps draining it afterwards. */
    private static String target(Process node) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
                return m.group(1) + ":" + m.group(2);
            }
        }
        throw new IllegalStateException("node exited before listening; output:\n" + seen);
    }

    private static byte[] seedBytes(Random random) {
        byte[] s = new byte[32];
        random.nextBytes(s);
        return s;
    }
}
