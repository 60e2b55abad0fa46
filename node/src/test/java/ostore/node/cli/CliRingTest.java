package ostore.node.cli;

import static ostore.node.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.Outcome;
import ostore.node.cli.CliTest.Run;
import ostore.node.ring.EmbeddedRing;
import ostore.ring.log.LogStores;
import ostore.store.Limits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ostore} command in-process against a 4-replica ring on free loopback ports, found
 * through the {@code ring.conf} that {@code ostore up} writes ({@link EmbeddedRing} is what it runs).
 */
@Timeout(120)
class CliRingTest {
    private static final Pattern SIGNERS = Pattern.compile("signed by replicas \\[([0-9, ]+)\\] \\((\\d+) of 4; 2f\\+1 = 3");

    @TempDir
    Path dir;

    private EmbeddedRing ring;
    private Path key;

    @BeforeEach
    void start() throws IOException {
        // The segment store grows as it is written; llpl preallocates 1 GiB per replica, which a
        // test's temporary directory need not pay for.
        ring = EmbeddedRing.start(dir.resolve("ring"), "127.0.0.1", 0, Limits.DEFAULT, LogStores.Preference.SEGMENT);
        key = dir.resolve("keys").resolve("me");
    }

    @AfterEach
    void stop() {
        ring.close();
    }

    @Test
    void putGetUpdateAndHistoryGoThroughTheRingFile() throws IOException {
        assertEquals(dir.resolve("ring").resolve("ring.conf"), ring.ringFile());
        Run put = client("put", "log", write("a", "a").toString());
        assertEquals(Main.OK, put.exit(), put.stderr());
        assertTrue(put.out().startsWith("committed seq 1 "), put.out());

        Path b = write("b", "b");
        Run fresh = client("update", "log", "--if-version", "1", "--append", b.toString());
        assertEquals(Main.OK, fresh.exit(), fresh.stderr());
        Run stale = client("update", "log", "--if-version", "1", "--append", b.toString());
        assertEquals(Main.ABORTED, stale.exit(), stale.stderr());

        Run get = client("get", "log");
        assertEquals(Main.OK, get.exit(), get.stderr());
        assertArrayEquals(bytes("ab"), get.stdout());

        Run history = client("history", "log", "--json");
        assertEquals(Main.OK, history.exit(), history.stderr());
        List<Outcome> outcomes = new ArrayList<>();
        for (String line : history.out().split("\n")) {
            HistoryEntry.Builder entry = HistoryEntry.newBuilder();
            JsonFormat.parser().merge(line, entry);
            outcomes.add(entry.getOutcome());
        }
        assertEquals(List.of(Outcome.COMMITTED, Outcome.COMMITTED, Outcome.ABORTED), outcomes);
    }

    @Test
    void getVerifyNamesTheCertificatesEpochAndSignersOnStderr() throws IOException {
        client("put", "v", write("v", "certified").toString());
        Run get = client("get", "v", "--verify");
        assertEquals(Main.OK, get.exit(), get.stderr());
        assertArrayEquals(bytes("certified"), get.stdout(), "stdout keeps only the object's bytes");
        assertTrue(get.stderr().contains("verified: version 1 of "), get.stderr());
        assertTrue(get.stderr().matches("(?s).*verified: certificate of ring epoch 0, color [0-"
                + (EmbeddedRing.DEFAULT_COLORS - 1) + "] batch .*"), get.stderr());
        Matcher m = SIGNERS.matcher(get.stderr());
        assertTrue(m.find(), get.stderr());
        List<Integer> signers = Arrays.stream(m.group(1).split(", ")).map(Integer::parseInt).toList();
        assertEquals(Integer.parseInt(m.group(2)), signers.size());
        assertTrue(signers.size() >= 3, "2f+1 signers: " + signers);
        assertEquals(signers.stream().sorted().distinct().toList(), signers, "distinct, increasing");
        assertTrue(signers.stream().allMatch(s -> s >= 0 && s < 4), signers.toString());
    }

    @Test
    void ringStatusListsEveryReplicaAndExitsThreeBelowTwoFPlusOne() {
        Run all = run("ring", "status", "--ring", ring.ringFile().toString());
        assertEquals(Main.OK, all.exit(), all.stderr());
        assertTrue(all.out().startsWith("ring epoch 0, 4 replicas, f = 1, " + EmbeddedRing.DEFAULT_COLORS
                + " color(s)"), all.out());
        for (int i = 0; i < 4; i++) {
            assertTrue(all.out().contains("replica " + i + " " + ring.spec().replicas().get(i).target() + ": view "),
                    all.out());
        }
        for (int c = 0; c < EmbeddedRing.DEFAULT_COLORS; c++) {
            assertTrue(all.out().contains("color " + c + ": last executed "), all.out());
        }

        ring.replicas().get(3).close();
        assertEquals(Main.OK, run("ring", "status", "--ring", ring.ringFile().toString()).exit(), "3 = 2f+1 answer");
        ring.replicas().get(2).close();
        Run two = run("ring", "status", "--ring", ring.ringFile().toString());
        assertEquals(Main.FAILED, two.exit(), two.out());
        assertTrue(two.out().contains("replica 2 " + ring.spec().replicas().get(2).target() + ": no answer (UNAVAILABLE"),
                two.out());
        assertTrue(two.out().contains("replica 3 "), two.out());
    }

    @Test
    void verifyAgainstASingleServerIsAUsageError() throws IOException {
        Run verify = run("get", "x", "--verify", "--server", ring.replicas().get(0).address(), "--key", key.toString());
        assertEquals(Main.USAGE, verify.exit(), verify.stderr());
        assertTrue(verify.stderr().contains("--verify needs a ring"), verify.stderr());
    }

    @Test
    void serverModeAgainstEachReplicaWritesAndReads() throws IOException {
        for (int i = 0; i < 4; i++) {
            String server = ring.replicas().get(i).address();
            String name = "direct-" + i;
            Run put = run("put", name, write(name, "via " + i).toString(), "--server", server, "--key", key.toString());
            assertEquals(Main.OK, put.exit(), "replica " + i + ": " + put.stderr());
            Run get = run("get", name, "--server", server, "--key", key.toString());
            assertEquals(Main.OK, get.exit(), get.stderr());
            assertArrayEquals(bytes("via " + i), get.stdout());
        }
        // And the ring as a whole holds them, certified.
        Run viaRing = client("get", "direct-3", "--verify");
        assertEquals(Main.OK, viaRing.exit(), viaRing.stderr());
        assertArrayEquals(bytes("via 3"), viaRing.stdout());
    }

    @Test
    void demoExitsZero() {
        Run demo = run("demo");
        assertEquals(Main.OK, demo.exit(), demo.stderr() + demo.out());
        assertTrue(demo.out().contains("ring stopped; its temporary data is removed"), demo.out());
    }

    private Run client(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--ring", ring.ringFile().toString(), "--key", key.toString()));
        return run(all.toArray(String[]::new));
    }

    private Path write(String name, String text) throws IOException {
        return Files.write(dir.resolve(name), bytes(text));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
