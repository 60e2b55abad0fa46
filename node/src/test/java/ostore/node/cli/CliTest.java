package ostore.node.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.Outcome;
import ostore.api.v1.UpdateReply;
import ostore.node.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ostore} command run in-process against a real node, with its output and exit code. */
class CliTest {
    @TempDir
    Path dir;

    private TestNode node;
    private Path key;

    record Run(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void start() throws IOException {
        node = TestNode.start(dir.resolve("node"));
        key = dir.resolve("keys").resolve("me");
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void keygenWritesAPrivateKeyAndRefusesToOverwriteWithoutForce() throws IOException {
        Run made = run("keygen", "--key", key.toString());
        assertEquals(Main.OK, made.exit(), made.stderr());
        assertTrue(made.out().startsWith("public key "), made.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        byte[] original = Files.readAllBytes(key);

        Run again = run("keygen", "--key", key.toString());
        assertEquals(Main.USAGE, again.exit());
        assertTrue(again.stderr().contains("--force"), again.stderr());
        assertArrayEquals(original, Files.readAllBytes(key));

        assertEquals(Main.OK, run("keygen", "--key", key.toString(), "--force").exit());
        assertTrue(!Arrays.equals(original, Files.readAllBytes(key)), "--force makes a new key");
    }

    @Test
    void putThenGetRoundTripsThroughStdoutAndAFile() throws IOException {
        byte[] content = new byte[200_000];
        new java.util.Random(5).nextBytes(content);
        Path file = write("in.bin", content);

        Run put = client("put", "photo", file.toString());
        assertEquals(Main.OK, put.exit(), put.stderr());
        assertTrue(put.out().startsWith("committed seq 1 "), put.out());
        assertTrue(put.stderr().contains("created a new key at " + key), put.stderr());

        Run get = client("get", "photo");
        assertEquals(Main.OK, get.exit(), get.stderr());
        assertArrayEquals(content, get.stdout());

        Path out = dir.resolve("out.bin");
        Run toFile = client("get", "photo", "-o", out.toString(), "--seq", "1");
        assertEquals(Main.OK, toFile.exit(), toFile.stderr());
        assertArrayEquals(content, Files.readAllBytes(out));
        assertTrue(toFile.out().startsWith("seq 1 "), toFile.out());
    }

    @Test
    void aGuardedUpdateExitsZeroWhenItCommitsAndOneWhenItAborts() throws IOException {
        client("put", "log", write("a", "a").toString());
        Path b = write("b", "b");

        Run fresh = client("update", "log", "--if-version", "1", "--append", b.toString());
        assertEquals(Main.OK, fresh.exit(), fresh.stderr());
        Run stale = client("update", "log", "--if-version", "1", "--append", b.toString());
        assertEquals(Main.ABORTED, stale.exit(), stale.stderr());
        assertTrue(stale.out().startsWith("aborted: "), stale.out());
        assertArrayEquals(bytes("ab"), client("get", "log").stdout());
    }

    @Test
    void actionsApplyInTheOrderTheirFlagsAreGiven() throws IOException {
        client("put", "order", write("base", "12345").toString());
        Path x = write("x", "x");
        Run run = client("update", "order", "--if-size", "eq:5", "--append", x.toString(), "--truncate", "3",
                "--append", x.toString());
        assertEquals(Main.OK, run.exit(), run.stderr());
        assertArrayEquals(bytes("123x"), client("get", "order").stdout());
    }

    @Test
    void historyJsonHasOneParsableEntryPerLine() throws IOException {
        client("put", "h", write("v", "1").toString());
        client("update", "h", "--if-version", "5", "--truncate", "0");
        Run history = client("history", "h", "--json");
        assertEquals(Main.OK, history.exit(), history.stderr());
        List<HistoryEntry> entries = new ArrayList<>();
        for (String line : history.out().split("\n")) {
            HistoryEntry.Builder entry = HistoryEntry.newBuilder();
            JsonFormat.parser().merge(line, entry);
            entries.add(entry.build());
        }
        assertEquals(List.of(Outcome.COMMITTED, Outcome.ABORTED), entries.stream().map(HistoryEntry::getOutcome).toList());
    }

    @Test
    void updateJsonIsTheReplyAndAnAguidArgumentWorksLikeTheName() throws IOException {
        Run put = client("put", "j", write("v", "1").toString(), "--json");
        UpdateReply.Builder reply = UpdateReply.newBuilder();
        JsonFormat.parser().merge(put.out().strip(), reply);
        assertEquals(Outcome.COMMITTED, reply.getOutcome());
        String aguid = java.util.HexFormat.of().formatHex(reply.getVersion().getAguid().toByteArray());
        assertArrayEquals(bytes("1"), client("get", aguid).stdout());
    }

    @Test
    void watchPrintsExistingVersionsUpToItsCount() throws IOException {
        client("put", "w", write("v1", "1").toString());
        client("put", "w", write("v2", "2").toString());
        Run watch = client("watch", "w", "--from", "1", "--count", "2");
        assertEquals(Main.OK, watch.exit(), watch.stderr());
        String[] lines = watch.out().split("\n");
        assertEquals(2, lines.length, watch.out());
        assertTrue(lines[0].startsWith("seq 1 ") && lines[1].startsWith("seq 2 "), watch.out());
    }

    @Test
    void serverRefusalsExitThreeWithTheStatusOnStderr() {
        Run missing = client("get", "nothing-here");
        assertEquals(Main.FAILED, missing.exit());
        assertTrue(missing.stderr().contains("NOT_FOUND: aguid: no object"), missing.stderr());
        assertEquals(0, missing.stdout().length);
    }

    @Test
    void badCommandLinesExitTwo() throws IOException {
        assertEquals(Main.USAGE, client("get", "x", "--seq", "1", "--as-of", "2026-01-01T00:00:00Z").exit());
        Run badOp = client("update", "x", "--if-size", "about:5", "--truncate", "0");
        assertEquals(Main.USAGE, badOp.exit(), badOp.stderr());
        assertTrue(badOp.stderr().contains("--if-size: comparison 'about' must be one of"), badOp.stderr());
        assertEquals(Main.USAGE, client("update", "x", "--if-version", "1").exit());
        assertEquals(Main.USAGE, client("get", "x", "--as-of", "yesterday").exit());
        assertEquals(Main.USAGE, run("frobnicate").exit());
    }

    @Test
    void aReplicaRefusesAnUnknownByzantineModeBeforeTouchingAnything() {
        Path data = dir.resolve("replica-data");
        Run bad = run("replica", "--config", dir.resolve("ring.conf").toString(), "--id", "0", "--key", key.toString(),
                "--data", data.toString(), "--byzantine", "lying");
        assertEquals(Main.USAGE, bad.exit(), bad.stderr());
        assertTrue(bad.stderr().contains("--byzantine: unknown Byzantine mode 'lying' (one of [silent, equivocate,"
                + " wrong-digests, garble, stale, mixed])"), bad.stderr());
        Run seedAlone = run("replica", "--config", dir.resolve("ring.conf").toString(), "--id", "0", "--key",
                key.toString(), "--data", data.toString(), "--byzantine-seed", "3");
        assertEquals(Main.USAGE, seedAlone.exit(), seedAlone.stderr());
        assertTrue(seedAlone.stderr().contains("--byzantine-seed needs --byzantine MODE"), seedAlone.stderr());
        assertFalse(Files.exists(data), "a refused replica created its data directory");
    }

    private Run client(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", node.node.address(), "--key", key.toString()));
        return run(all.toArray(String[]::new));
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Run(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws IOException {
        return write(name, bytes(text));
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
