package ostore.node.archive;

import static ostore.node.archive.ArchiveRingFixture.ARCHIVED_WITHIN;
import static ostore.node.archive.ArchiveRingFixture.PIECE;
import static ostore.node.archive.ArchiveRingFixture.awaitDrained;
import static ostore.node.archive.ArchiveRingFixture.deleteTree;
import static ostore.node.archive.ArchiveRingFixture.pause;
import static ostore.node.archive.ArchiveRingFixture.putInPieces;
import static ostore.node.archive.ArchiveRingFixture.random;
import static ostore.node.archive.ArchiveRingFixture.range;
import static ostore.node.archive.ArchiveRingFixture.run;
import static ostore.node.archive.ArchiveRingFixture.versionStates;
import static ostore.node.archive.ArchiveRingFixture.versionsOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import ostore.api.v1.ArchiveBacklog;
import ostore.api.v1.ArchiveGrpc;
import ostore.api.v1.ArchiveRestoreRequest;
import ostore.api.v1.ArchiveState;
import ostore.api.v1.ArchiveStatusRequest;
import ostore.api.v1.VersionArchiveState;
import ostore.archive.Restorer;
import ostore.archive.manifest.Manifest;
import ostore.archive.manifest.StripeFragments;
import ostore.client.OstoreClient;
import ostore.client.RingFile;
import ostore.client.RingPolicy;
import ostore.client.RingSpec;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.KeyFiles;
import ostore.crypto.SigningKey;
import ostore.node.archive.ArchiveRingFixture.Run;
import ostore.node.cli.Main;
import ostore.node.ring.EmbeddedRing;
import ostore.node.ring.ReplicaNode;
import ostore.node.storage.StorageNode;
import ostore.ring.log.LogStores;
import ostore.store.Limits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deep archive end to end on a 4-replica ring with 9 storage nodes (RS(6, 3), 1 MiB shards):
 * every committed version gets archived by the replicas on their own; then with every replica's
 * data gone and m storage nodes down, the CLI alone restores every object byte for byte from the
 * fragments; corrupt and truncated fragments are skipped and reported; with fewer than k nodes the
 * restore fails and writes nothing; a scrub regenerates a wiped node's fragments; and a backlog
 * that could not be archived survives a restart of the ring.
 */
@Timeout(300)
class ArchiveRingTest {
    private static final int BLOCK = Limits.DEFAULT.maxBlockBytes();
    private static final int STRIPE = 6 << 20;
    private static final String GRACE = "ostore.archive.grace-seconds";

    @TempDir
    Path dir;

    /** Non-designated replicas check after 1 s instead of 30, so a test sees them do it. */
    @BeforeEach
    void shortGrace() {
        System.setProperty(GRACE, "1");
    }

    @AfterEach
    void defaultGrace() {
        System.clearProperty(GRACE);
    }

    private Path ringDir() {
        return dir.resolve("ring");
    }

    private EmbeddedRing startRing() throws IOException {
        return EmbeddedRing.start(ringDir(), "127.0.0.1", 0, Limits.DEFAULT, LogStores.Preference.SEGMENT);
    }

    private SigningKey key() throws IOException {
        Path k = dir.resolve("key");
        if (Files.exists(k)) {
            return KeyFiles.load(k);
        }
        SigningKey key = SigningKey.generate(new SecureRandom());
        KeyFiles.save(key, k);
        return key;
    }

    /** Every version of {@code name}, by {@code archive status --json}; polls until all are archived. */
    private List<VersionArchiveState> awaitArchived(Path ringFile, String name, long versions) throws IOException {
        long deadline = System.nanoTime() + ARCHIVED_WITHIN.toNanos();
        List<VersionArchiveState> last = List.of();
        String lastOut = "";
        while (System.nanoTime() < deadline) {
            Run status = run("archive", "status", name, "--json", "--ring", ringFile.toString(), "--key",
                    dir.resolve("key").toString());
            lastOut = status.out() + status.err();
            last = versionStates(status.out());
            if (status.exit() == Main.OK && last.size() == versions) {
                return last;
            }
            pause();
        }
        throw new AssertionError("not archived within " + ARCHIVED_WITHIN + ": " + lastOut);
    }

    private Path fragmentFile(int node, Hash32 name) {
        String hex = name.toHex();
        return ringDir().resolve("storage-" + node).resolve("objects").resolve(hex.substring(0, 2)).resolve(hex);
    }

    private List<StorageNode> startStorage(RingSpec spec, Set<Integer> nodes) throws IOException {
        List<StorageNode> started = new ArrayList<>();
        for (int j : nodes) {
            RingSpec.StorageAddress a = spec.storageNodes().get(j);
            started.add(StorageNode.start(ringDir().resolve("storage-" + j), a.host(), a.port()));
        }
        return started;
    }

    @Test
    void everyVersionIsArchivedAndRestoresFromFragmentsAloneAfterEveryReplicaIsWiped() throws IOException {
        Map<String, byte[]> objects = new LinkedHashMap<>();
        objects.put("empty", new byte[0]);
        objects.put("one", new byte[] {42});
        objects.put("block", random(BLOCK, 1));
        objects.put("block-plus-one", random(BLOCK + 1, 2));
        objects.put("stripe", random(STRIPE, 3));
        objects.put("stripe-plus-one", random(STRIPE + 1, 4));
        objects.put("few-mib", random(3 * (1 << 20) + 5, 5));
        if (Boolean.getBoolean("ostore.archive.large")) {
            objects.put("large", random(100 << 20, 6));
        }
        byte[] grownFirst = random(4 * BLOCK, 7);
        byte[] grown = new byte[grownFirst.length + BLOCK / 2];
        System.arraycopy(grownFirst, 0, grown, 0, grownFirst.length);
        System.arraycopy(random(BLOCK / 2, 8), 0, grown, grownFirst.length, BLOCK / 2);

        long versions = 2 + objects.values().stream().mapToLong(ArchiveRingFixture::versionsOf).sum();
        SigningKey key = key();
        RingSpec spec;
        Path ringFile;
        try (EmbeddedRing ring = startRing()) {
            spec = ring.spec();
            ringFile = ring.ringFile();
            try (OstoreClient client = OstoreClient.connectRing(spec, key, RingPolicy.DEFAULT)) {
                for (Map.Entry<String, byte[]> o : objects.entrySet()) {
                    putInPieces(client, o.getKey(), o.getValue(), PIECE);
                }
                assertTrue(client.put("grown", grownFirst).committed());
                assertTrue(client.put("grown", grown).committed());
            }
            for (Map.Entry<String, byte[]> o : objects.entrySet()) {
                String name = o.getKey();
                // A put and then an append per further piece: one version each.
                for (VersionArchiveState v : awaitArchived(ringFile, name, versionsOf(o.getValue()))) {
                    assertEquals(ArchiveState.ARCHIVED, v.getState(), name);
                    assertEquals(v.getFragmentsTotal(), v.getFragmentsPlaced(), name + ": every fragment placed");
                }
            }
            List<VersionArchiveState> grownStates = awaitArchived(ringFile, "grown", 2);
            // Seq 2 shares its first four blocks with seq 1: only the new half block is archived again.
            assertEquals(4L * BLOCK, grownStates.get(0).getArchivedBytes());
            assertEquals(BLOCK / 2, grownStates.get(1).getArchivedBytes());

            // One replica wrote each version; the other three found it archived after the grace period.
            List<ArchiveBacklog> backlogs = awaitDrained(ringFile);
            long wrote = backlogs.stream().mapToLong(ArchiveBacklog::getArchived).sum();
            long found = backlogs.stream().mapToLong(ArchiveBacklog::getFoundArchived).sum();
            assertEquals(4L * versions, wrote + found, backlogs.toString());
            assertTrue(wrote >= versions && found > 0, backlogs.toString());

            // The same restore run on a replica and checked here.
            Path viaReplica = dir.resolve("via-replica");
            Run remote = restore(ringFile, "grown", "--seq", "2", "--replica", "1", "-o", viaReplica.toString());
            assertEquals(Main.OK, remote.exit(), remote.err());
            assertArrayEquals(grown, Files.readAllBytes(viaReplica));
            assertTrue(remote.out().contains("restored seq 2 ") && remote.out().contains("through replica 1, checked here"),
                    remote.out());
            Path viaAll = dir.resolve("via-replica-all");
            Run remoteAll = restore(ringFile, "grown", "--all", "--replica", "2", "--out-dir", viaAll.toString(), "--json");
            assertEquals(Main.OK, remoteAll.exit(), remoteAll.err());
            assertArrayEquals(grownFirst, Files.readAllBytes(viaAll.resolve("seq-1")));
            assertArrayEquals(grown, Files.readAllBytes(viaAll.resolve("seq-2")));
            assertEquals(2, remoteAll.out().lines().filter(l -> l.startsWith("{\"manifestName\"")).count(), remoteAll.out());

            // Bad input is refused naming the field, and changes nothing.
            ManagedChannel channel = Grpc.newChannelBuilder(spec.replicas().get(0).target(),
                    InsecureChannelCredentials.create()).build();
            try {
                StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> ArchiveGrpc
                        .newBlockingStub(channel).status(ArchiveStatusRequest.newBuilder()
                                .setAguid(ByteString.copyFrom(new byte[31])).build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
                assertEquals("aguid: must be 32 bytes, got 31", bad.getStatus().getDescription());
                StatusRuntimeException tooMany = assertThrows(StatusRuntimeException.class, () -> ArchiveGrpc
                        .newBlockingStub(channel).status(ArchiveStatusRequest.newBuilder().setLimit(4097).build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, tooMany.getStatus().getCode());
                StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> ArchiveGrpc
                        .newBlockingStub(channel).restore(ArchiveRestoreRequest.newBuilder()
                                .setAguid(ByteString.copyFrom(new byte[32])).setSeq(1).build()).next());
                assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
                assertTrue(unknown.getStatus().getDescription().startsWith("no verified archive manifest for"),
                        unknown.getStatus().getDescription());
            } finally {
                channel.shutdownNow();
            }

            Run backlog = run("archive", "status", "--ring", ringFile.toString());
            assertEquals(Main.OK, backlog.exit(), backlog.err());
            for (int i = 0; i < 4; i++) {
                assertTrue(backlog.out().contains("replica " + i + " "), backlog.out());
            }
        }

        // Every replica copy gone: only the storage nodes remain, and m = 3 of them are down too.
        for (int i = 0; i < spec.n(); i++) {
            deleteTree(ringDir().resolve("replica-" + i));
        }
        Path out = dir.resolve("out");
        List<StorageNode> up = startStorage(spec, range(3, 9));
        try {
            for (Map.Entry<String, byte[]> o : objects.entrySet()) {
                Path file = out.resolve(o.getKey());
                Run r = restore(ringFile, o.getKey(), "-o", file.toString(), "--json");
                assertEquals(Main.OK, r.exit(), o.getKey() + ": " + r.err());
                assertArrayEquals(o.getValue(), Files.readAllBytes(file), o.getKey() + " restored byte for byte");
                assertTrue(r.out().contains("\"seq\":" + versionsOf(o.getValue()) + ","), "the latest version: " + r.out());
            }
            Run all = restore(ringFile, "grown", "--all", "--out-dir", out.resolve("grown").toString());
            assertEquals(Main.OK, all.exit(), all.err());
            assertArrayEquals(grownFirst, Files.readAllBytes(out.resolve("grown").resolve("seq-1")));
            assertArrayEquals(grown, Files.readAllBytes(out.resolve("grown").resolve("seq-2")));
            assertTrue(all.out().contains("restored seq 2 "), all.out());

            // Fewer than k: a fourth node down leaves 5 of each stripe's 9 fragments.
            up.get(0).close();
            Path nothing = out.resolve("nothing").resolve("stripe");
            Run tooFew = restore(ringFile, "stripe", "-o", nothing.toString());
            assertEquals(Main.FAILED, tooFew.exit(), tooFew.out());
            Aguid stripeAguid = Aguid.of(key.publicKey(), "stripe");
            assertTrue(tooFew.err().contains("cannot rebuild stripe 0 of " + stripeAguid + " seq 1: 5 good fragments"
                    + " found, 6 needed"), tooFew.err());
            assertFalse(Files.exists(nothing), "no output file");
            try (Stream<Path> left = Files.list(nothing.getParent())) {
                assertEquals(List.of(), left.toList(), "no partial or temporary file either");
            }
        } finally {
            up.forEach(StorageNode::close);
        }

        // All 9 up again; one stripe has a corrupt fragment, a truncated one and a node down.
        Aguid aguid = Aguid.of(key.publicKey(), "stripe-plus-one");
        Manifest m;
        try (RingStorage storage = RingStorage.connect(spec, Duration.ofSeconds(10))) {
            up = startStorage(spec, range(0, 9));
            m = new Restorer(storage, storage.checker()).manifest(aguid, 1);
        }
        try {
            StripeFragments s0 = m.stripes().get(0);
            Path corrupt = fragmentFile(s0.node(0), s0.name(0));
            byte[] bytes = Files.readAllBytes(corrupt);
            bytes[bytes.length - 1] ^= 1;
            Files.write(corrupt, bytes);
            try (RandomAccessFile f = new RandomAccessFile(fragmentFile(s0.node(1), s0.name(1)).toFile(), "rw")) {
                f.setLength(f.length() / 2);
            }
            int downNode = s0.node(2);
            up.get(downNode).close();
            Path file = out.resolve("damaged");
            Run r = restore(ringFile, "stripe-plus-one", "-o", file.toString(), "--json");
            assertEquals(Main.OK, r.exit(), r.err());
            assertArrayEquals(objects.get("stripe-plus-one"), Files.readAllBytes(file));
            assertTrue(r.out().contains("{\"node\":" + s0.node(0) + ",\"name\":\"" + s0.name(0).toHex() + "\""), r.out());
            assertTrue(r.out().contains("{\"node\":" + s0.node(1) + ",\"name\":\"" + s0.name(1).toHex() + "\""), r.out());
            assertTrue(r.out().contains("\"nodesDown\":[" + downNode + "]"), r.out());

            // The node comes back empty; a scrub regenerates what it and the damaged fragments lost.
            deleteTree(ringDir().resolve("storage-" + downNode));
            up.set(downNode, startStorage(spec, Set.of(downNode)).getFirst());
            Run scrub = run("archive", "scrub", "stripe-plus-one", "--all", "--ring", ringFile.toString(), "--key",
                    dir.resolve("key").toString());
            assertEquals(Main.OK, scrub.exit(), scrub.out() + scrub.err());
            assertTrue(scrub.out().contains("repaired stripe 0 shard 0 onto storage node " + s0.node(0)), scrub.out());
            assertTrue(scrub.out().contains("repaired stripe 0 shard 1 onto storage node " + s0.node(1)), scrub.out());
            assertTrue(scrub.out().contains("repaired stripe 0 shard 2 onto storage node " + downNode), scrub.out());
            Run again = run("archive", "scrub", "stripe-plus-one", "--all", "--ring", ringFile.toString(), "--key",
                    dir.resolve("key").toString());
            assertEquals(Main.OK, again.exit(), again.out());
            assertTrue(again.out().contains(", 0 repaired"), again.out());

            // Every archived version of every object, found by reading the storage nodes, scrubbed;
            // the wiped node gets back the fragments and manifests of the other objects too.
            Run everything = run("archive", "scrub", "--all", "--ring", ringFile.toString());
            assertEquals(Main.OK, everything.exit(), everything.out() + everything.err());
            assertEquals(versions, everything.out().lines().filter(l -> l.matches("[0-9a-f]{64} seq \\d+: .*"))
                    .count(), everything.out());
            Run clean = run("archive", "scrub", "--all", "--ring", ringFile.toString());
            assertEquals(Main.OK, clean.exit(), clean.out());
            assertEquals(versions, clean.out().lines().filter(l -> l.endsWith(" 0 repaired")).count(),
                    clean.out());

            // No replica is up: status asks the storage nodes, which hold every fragment again.
            Run status = run("archive", "status", "stripe-plus-one", "--ring", ringFile.toString(), "--key",
                    dir.resolve("key").toString());
            assertEquals(Main.OK, status.exit(), status.out() + status.err());
            assertTrue(status.out().contains("no replica answered; asking the storage nodes directly"), status.out());
            assertTrue(status.out().contains("seq 1: archived, manifest " + m.name().shortHex() + ", 18/18 fragments placed"),
                    status.out());
        } finally {
            up.forEach(StorageNode::close);
        }
    }

    private Run restore(Path ringFile, String name, String... more) {
        List<String> args = new ArrayList<>(List.of("restore", name, "--ring", ringFile.toString(), "--key",
                dir.resolve("key").toString()));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    @Test
    void aBacklogThatCouldNotBeArchivedSurvivesARestartOfTheRing() throws IOException {
        SigningKey key = key();
        byte[] content = random(2 * BLOCK + 7, 9);
        Path ringFile;
        try (EmbeddedRing ring = startRing()) {
            ringFile = ring.ringFile();
            // 5 of 9 storage nodes: fewer than k = 6, so no stripe can be stored.
            for (int j = 5; j < 9; j++) {
                ring.storageNodes().get(j).close();
            }
            try (OstoreClient client = OstoreClient.connectRing(ring.spec(), key, RingPolicy.DEFAULT)) {
                assertTrue(client.put("later", content).committed());
            }
            long deadline = System.nanoTime() + ARCHIVED_WITHIN.toNanos();
            VersionArchiveState state = null;
            while (System.nanoTime() < deadline) {
                Run status = run("archive", "status", "later", "--json", "--ring", ringFile.toString(), "--key",
                        dir.resolve("key").toString());
                List<VersionArchiveState> states = versionStates(status.out());
                if (!states.isEmpty() && states.getFirst().getState() == ArchiveState.FAILED) {
                    state = states.getFirst();
                    assertEquals(Main.FAILED, status.exit(), "a version not archived is a failing status");
                    break;
                }
                pause();
            }
            assertTrue(state != null, "the failure shows in archive status");
            assertTrue(state.getReason().contains("stripe 0 of"), state.getReason());
            assertTrue(state.getReason().contains("at least k = 6 needed"), state.getReason());
            assertTrue(state.getDesignated(), "the designated replica's reason is shown");
            Run backlog = run("archive", "status", "--ring", ringFile.toString());
            assertTrue(backlog.out().contains("1 pending"), backlog.out());
            assertTrue(backlog.out().contains("1 failing"), backlog.out());
        }
        // Every storage node and the ring restart, but without the replica designated to archive
        // "later": the other three still hold it queued and archive it themselves after the grace.
        RingSpec spec = RingFile.load(ringFile);
        Aguid later = Aguid.of(key.publicKey(), "later");
        int designated = Byte.toUnsignedInt(later.hash().byteAt(31)) % spec.n();
        List<StorageNode> storage = startStorage(spec, range(0, 9));
        List<ReplicaNode> replicas = new ArrayList<>();
        try {
            for (int i = 0; i < spec.n(); i++) {
                if (i != designated) {
                    replicas.add(ReplicaNode.start(new ReplicaNode.Config(spec, i,
                            KeyFiles.load(ringDir().resolve("replica-" + i).resolve("replica.key")),
                            ringDir().resolve("replica-" + i), Limits.DEFAULT, LogStores.Preference.SEGMENT)));
                }
            }
            List<VersionArchiveState> states = awaitArchived(ringFile, "later", 1);
            assertEquals(ArchiveState.ARCHIVED, states.getFirst().getState());
            Path file = dir.resolve("later.out");
            Run r = restore(ringFile, "later", "-o", file.toString());
            assertEquals(Main.OK, r.exit(), r.err());
            assertArrayEquals(content, Files.readAllBytes(file));
        } finally {
            List<Thread> stopping = replicas.stream().map(x -> Thread.ofPlatform().start(x::close)).toList();
            for (Thread t : stopping) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            storage.forEach(StorageNode::close);
        }
    }
}
