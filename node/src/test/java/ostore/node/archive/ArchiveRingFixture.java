package ostore.node.archive;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import ostore.api.v1.ArchiveBacklog;
import ostore.api.v1.VersionArchiveState;
import ostore.client.OstoreClient;
import ostore.client.RingPolicy;
import ostore.client.RingSpec;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.SigningKey;
import ostore.node.cli.Main;
import ostore.node.ring.EmbeddedRing;
import ostore.node.storage.RemoteFragmentStore;
import ostore.node.storage.StorageNode;
import ostore.node.storage.StorageRouting;
import ostore.store.Limits;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the tests of the archive on a real ring share: running the CLI in-process, content, writing
 * objects larger than one update, waiting for the replicas' archive backlogs to drain, and files.
 */
final class ArchiveRingFixture {
    static final Duration ARCHIVED_WITHIN = Duration.ofSeconds(90);
    static final String GRACE_PROPERTY = "ostore.archive.grace-seconds";
    /** Half the largest update: larger objects go in as a put and appends. */
    static final int PIECE = Limits.DEFAULT.maxUpdateBytes() / 2;

    private ArchiveRingFixture() {}

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Every replica's backlog, once none has anything pending. */
    static List<ArchiveBacklog> awaitDrained(Path ringFile) throws IOException {
        long deadline = System.nanoTime() + ARCHIVED_WITHIN.toNanos();
        List<ArchiveBacklog> last = List.of();
        while (System.nanoTime() < deadline) {
            Run status = run("archive", "status", "--json", "--ring", ringFile.toString());
            last = new ArrayList<>();
            for (String line : status.out().split("\n")) {
                ArchiveBacklog.Builder b = ArchiveBacklog.newBuilder();
                JsonFormat.parser().merge(line, b);
                last.add(b.build());
            }
            if (status.exit() == Main.OK && last.size() == 4 && last.stream().allMatch(b -> b.getPending() == 0)) {
                return last;
            }
            pause();
        }
        throw new AssertionError("backlogs not drained within " + ARCHIVED_WITHIN + ": " + last);
    }

    static List<VersionArchiveState> versionStates(String jsonLines) throws IOException {
        List<VersionArchiveState> states = new ArrayList<>();
        for (String line : jsonLines.split("\n")) {
            if (line.contains("\"seq\"")) {
                VersionArchiveState.Builder v = VersionArchiveState.newBuilder();
                JsonFormat.parser().merge(line, v);
                states.add(v.build());
            }
        }
        return states;
    }

    /**
     * For a ring test's {@code @ExtendWith}: during each test the archive's grace period and the
     * storage nodes' gossip period are short enough for a test's time; the defaults after it.
     */
    static final class ShortPeriods implements BeforeEachCallback, AfterEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) {
            System.setProperty(GRACE_PROPERTY, "1");
            System.setProperty(StorageRouting.GOSSIP_PERIOD_PROPERTY, "500");
        }

        @Override
        public void afterEach(ExtensionContext context) {
            System.clearProperty(GRACE_PROPERTY);
            System.clearProperty(StorageRouting.GOSSIP_PERIOD_PROPERTY);
        }
    }

    /**
     * Puts {@code content} as {@code name} under a new key on {@code ring}, waits until every
     * replica has archived it and every storage node has published its new objects to the routing
     * layer (their rendezvous roots told), and returns the object's AGUID.
     */
    static Aguid putArchivedAndRouted(EmbeddedRing ring, String name, byte[] content) throws IOException,
            InterruptedException {
        Aguid aguid;
        try (OstoreClient client = OstoreClient.connectRing(ring.spec(), SigningKey.generate(new SecureRandom()),
                RingPolicy.DEFAULT)) {
            assertTrue(client.put(name, content).committed());
            aguid = client.aguidOf(name);
        }
        awaitDrained(ring.ringFile());
        for (StorageNode n : ring.storageNodes()) {
            assertTrue(n.awaitRoutingPublished(Duration.ofSeconds(60)), "publishes drained on " + n.address());
        }
        return aguid;
    }

    /** Which storage nodes hold each object, from the nodes' own listings; every node must answer. */
    static Map<Hash32, Set<Integer>> holders(RingSpec spec) throws IOException {
        Map<Hash32, Set<Integer>> holders = new HashMap<>();
        for (RingSpec.StorageAddress a : spec.storageNodes()) {
            try (RemoteFragmentStore store = RemoteFragmentStore.connect(a.target(), Duration.ofSeconds(10))) {
                for (Hash32 name : store.list(null, 4096)) {
                    holders.computeIfAbsent(name, k -> new HashSet<>()).add(a.id());
                }
            }
        }
        return holders;
    }

    /** Bounded polling between status checks; the loop, not this wait, is what ends a test. */
    static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    static Set<Integer> range(int from, int to) {
        Set<Integer> s = new TreeSet<>();
        for (int i = from; i < to; i++) {
            s.add(i);
        }
        return s;
    }

    /** How many versions {@link #putInPieces} makes of {@code content}. */
    static long versionsOf(byte[] content) {
        return Math.max(1, (content.length + PIECE - 1) / PIECE);
    }

    /** Objects larger than one update go in as a put and appends. */
    static void putInPieces(OstoreClient client, String name, byte[] content, int piece) {
        int first = Math.min(content.length, piece);
        byte[] head = java.util.Arrays.copyOf(content, first);
        assertTrue(client.put(name, head).committed());
        for (int at = first; at < content.length; at += piece) {
            byte[] part = java.util.Arrays.copyOfRange(content, at, Math.min(content.length, at + piece));
            assertTrue(client.submit(ostore.client.Updates.forObject(client.aguidOf(name))
                    .when(ostore.client.Predicates.always()).then(ostore.client.Actions.append(part)).build()).committed());
        }
    }
}
