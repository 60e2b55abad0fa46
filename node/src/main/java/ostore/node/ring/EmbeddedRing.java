package ostore.node.ring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import ostore.client.RingFile;
import ostore.client.RingSpec;
import ostore.crypto.KeyFiles;
import ostore.crypto.SigningKey;
import ostore.node.storage.StorageNode;
import ostore.node.storage.StorageRouting;
import ostore.ring.bft.RingConfig;
import ostore.ring.log.LogStores;
import ostore.store.Limits;

/**
 * A whole ring of 3f+1 replicas in one process, each with its own data directory, key and port:
 * what {@code ostore up} runs (f = 1 by default; f = 0, a ring of one, with {@code --single}), so
 * one command gives the real protocol over real sockets. The first start generates the keys and writes the ring file into the data directory;
 * later starts read both back, because the replicas' logs hold messages signed with those keys.
 *
 * <pre>
 * DIR/ring.conf               the ring configuration (clients use it with --ring)
 * DIR/replica-I/replica.key   replica I's private key (owner-only)
 * DIR/replica-I/versions, log replica I's store and shared log
 * DIR/storage-J/              storage node J's objects (the deep archive)
 * DIR/storage-J/routing.key   storage node J's routing key (owner-only)
 * </pre>
 *
 * <p>The storage nodes are recorded in the ring file with the replicas, so replicas and clients
 * find them where they find the ring. A ring file that lists none (written before storage nodes
 * existed) gets them added on the next start. Each storage node also hosts the routing layer on
 * its port ({@link StorageNode#hostRouting}); its routing key is recorded in the ring file too
 * (format 3), and a ring file that lists storage nodes without keys (format 2) gets them added.
 */
public final class EmbeddedRing implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedRing.class.getName());
    public static final String RING_FILE = "ring.conf";
    public static final int DEFAULT_F = 1;
    /**
     * Colors of a new ring: objects of different colors are ordered independently, each color with
     * its own batches in flight (docs/benchmarks.md measures 1 to 8).
     */
    public static final int DEFAULT_COLORS = 4;
    /** Enough for the archive's default code, 6 data + 3 parity fragments, each on its own node. */
    public static final int DEFAULT_STORAGE_NODES = 9;
    /** Storage node j listens on the base port + this + j, clear of the replicas' ports. */
    public static final int STORAGE_PORT_OFFSET = 100;

    private final Path ringFile;
    private final RingSpec spec;
    private final List<ReplicaNode> replicas;
    private final List<StorageNode> storageNodes;

    private EmbeddedRing(Path ringFile, RingSpec spec, List<ReplicaNode> replicas, List<StorageNode> storageNodes) {
        this.ringFile = ringFile;
        this.spec = spec;
        this.replicas = replicas;
        this.storageNodes = storageNodes;
    }

    /** {@link #start(Path, String, int, Limits, LogStores.Preference, int)} with {@value #DEFAULT_STORAGE_NODES} storage nodes. */
    public static EmbeddedRing start(Path dir, String host, int basePort, Limits limits,
            LogStores.Preference logStore) throws IOException {
        return start(dir, host, basePort, limits, logStore, DEFAULT_STORAGE_NODES);
    }

    /**
     * Starts the ring in {@code dir}: the one recorded there, or a new one of 3f+1 replicas (f =
     * {@value #DEFAULT_F}) on {@code host}, ports {@code basePort + i} (all ephemeral when 0), and
     * its storage nodes: those the ring file lists, or when it lists none, {@code storageNodes} new
     * ones on ports {@code basePort + }{@value #STORAGE_PORT_OFFSET}{@code  + j} (none: the ring
     * archives nothing).
     */
    public static EmbeddedRing start(Path dir, String host, int basePort, Limits limits,
            LogStores.Preference logStore, int storageNodes) throws IOException {
        return start(dir, host, basePort, limits, logStore, storageNodes, DEFAULT_COLORS);
    }

    /**
     * As above; a new ring orders {@code colors} groups of objects independently (a ring recorded
     * in {@code dir} keeps its own count).
     */
    public static EmbeddedRing start(Path dir, String host, int basePort, Limits limits,
            LogStores.Preference logStore, int storageNodes, int colors) throws IOException {
        return start(dir, host, basePort, limits, logStore, storageNodes, colors, DEFAULT_F);
    }

    /**
     * As above; a new ring has 3f+1 replicas (f = 0: a ring of one, which tolerates no fault but
     * runs the same protocol, certificates and on-disk format: what {@code ostore up --single}
     * runs). A ring recorded in {@code dir} keeps its own f.
     *
     * @throws IOException also if {@code dir} holds a single node's data in the format ostore wrote
     *     before a single node was a ring of one, which this build does not read
     */
    public static EmbeddedRing start(Path dir, String host, int basePort, Limits limits,
            LogStores.Preference logStore, int storageNodes, int colors, int f) throws IOException {
        if (f < 0) {
            throw new IllegalArgumentException("f (" + f + ") must be >= 0");
        }
        refuseOldSingleNode(dir);
        if (colors < 1 || colors > 256) {
            throw new IllegalArgumentException("colors (" + colors + ") must be in 1..256");
        }
        if (storageNodes < 0) {
            throw new IllegalArgumentException("storageNodes (" + storageNodes + ") must be >= 0");
        }
        Files.createDirectories(dir);
        Path file = dir.resolve(RING_FILE);
        List<ReplicaNode.Listener> listeners = new ArrayList<>();
        List<ReplicaNode> started = new ArrayList<>();
        List<StorageNode> storage = new ArrayList<>();
        try {
            RingSpec spec;
            List<SigningKey> keys = new ArrayList<>();
            if (Files.exists(file)) {
                spec = RingFile.load(file);
                for (RingSpec.Member m : spec.replicas()) {
                    keys.add(KeyFiles.load(keyFile(dir, m.id())));
                    listeners.add(ReplicaNode.Listener.bind(m.host(), m.port()));
                }
            } else {
                List<RingSpec.Member> members = new ArrayList<>();
                SecureRandom random = new SecureRandom();
                for (int i = 0; i < 3 * f + 1; i++) {
                    ReplicaNode.Listener l = ReplicaNode.Listener.bind(host, basePort == 0 ? 0 : basePort + i);
                    listeners.add(l);
                    SigningKey key = SigningKey.generate(random);
                    Files.createDirectories(dir.resolve("replica-" + i));
                    KeyFiles.save(key, keyFile(dir, i));
                    keys.add(key);
                    members.add(new RingSpec.Member(i, host, l.port(), key.publicKey()));
                }
                spec = new RingSpec(0, f, colors, RingConfigs.params(RingConfig.Params.DEFAULT), members);
            }
            RingSpec withStorage = startStorage(dir, spec, host, basePort, storageNodes, storage);
            if (!Files.exists(file) || !withStorage.equals(spec)) {
                if (Files.exists(file) && !spec.archives()) {
                    LOG.info(() -> file + " listed no storage nodes; started " + storageNodes + " and recorded them there");
                } else if (Files.exists(file)) {
                    LOG.info(() -> file + " listed storage nodes without routing keys; recorded their keys there (format "
                            + RingFile.VERSION + ")");
                }
                spec = withStorage;
                RingFile.write(spec, file);
            }
            Duration period = StorageRouting.gossipPeriod();
            for (int j = 0; j < storage.size(); j++) {
                storage.get(j).hostRouting(spec, j, period);
            }
            // Every node serves routing before any gossips, so no first round finds a peer without it.
            storage.forEach(StorageNode::startRouting);
            for (int i = 0; i < spec.n(); i++) {
                ReplicaNode.Config config = new ReplicaNode.Config(spec, i, keys.get(i), dir.resolve("replica-" + i),
                        limits, logStore);
                started.add(ReplicaNode.start(config, listeners.get(i)));
            }
            return new EmbeddedRing(file, spec, started, storage);
        } catch (IOException | RuntimeException e) {
            for (int i = started.size(); i < listeners.size(); i++) {
                listeners.get(i).close();
            }
            started.forEach(ReplicaNode::close);
            storage.forEach(StorageNode::close);
            throw e;
        }
    }

    /**
     * Refuses a data directory the single node of earlier builds wrote (its version store and its
     * own log format, LocalRing's records, at the top of the directory and no ring file): a single
     * node is now a ring of one, whose data lives in {@code replica-0/} in the replicas' format, and
     * the old log's records cannot be read as a replica's. Nothing is changed in it.
     */
    static void refuseOldSingleNode(Path dir) throws IOException {
        if (Files.exists(dir.resolve(RING_FILE))) {
            return;
        }
        for (String old : List.of("log", "versions")) {
            if (Files.exists(dir.resolve(old))) {
                throw new IOException(dir + " holds a single node's data in the format of ostore before 2026-12-07"
                        + " (" + dir.resolve(old) + ": the version store and LocalRing log of a single node, no "
                        + RING_FILE + "); this ostore runs a single node as a ring of one and does not read that format."
                        + " Nothing in it was changed: read the objects out with the ostore that wrote it, or start"
                        + " this one with another --data directory (docs/operations.md, \"Data directory\")");
            }
        }
    }

    /**
     * Starts the storage nodes {@code spec} lists, each in {@code DIR/storage-J}, or {@code count}
     * new ones if it lists none, adding each to {@code into} as it starts.
     *
     * @return {@code spec}, with the new storage nodes if any were made
     */
    private static RingSpec startStorage(Path dir, RingSpec spec, String host, int basePort, int count,
            List<StorageNode> into) throws IOException {
        List<RingSpec.StorageAddress> addresses = new ArrayList<>();
        if (spec.archives()) {
            for (RingSpec.StorageAddress a : spec.storageNodes()) {
                into.add(StorageNode.start(storageDir(dir, a.id()), a.host(), a.port(), spec.keys(), spec.f()));
                addresses.add(withRoutingKey(dir, a));
            }
            return spec.withStorageNodes(addresses);
        }
        for (int j = 0; j < count; j++) {
            // Each node knows the ring's keys, so its index takes only entries the ring certified.
            StorageNode node = StorageNode.start(storageDir(dir, j), host,
                    basePort == 0 ? 0 : basePort + STORAGE_PORT_OFFSET + j, spec.keys(), spec.f());
            into.add(node);
            addresses.add(withRoutingKey(dir, new RingSpec.StorageAddress(j, host, node.port())));
        }
        return spec.withStorageNodes(addresses);
    }

    /**
     * {@code a} with the routing key in its data directory (created if missing).
     *
     * @throws IllegalStateException if the ring file lists another key for it
     */
    private static RingSpec.StorageAddress withRoutingKey(Path dir, RingSpec.StorageAddress a) throws IOException {
        Path nodeDir = storageDir(dir, a.id());
        SigningKey key = StorageRouting.loadOrCreateKey(nodeDir);
        if (a.routingKey() != null && !a.routingKey().equals(key.publicKey())) {
            throw new IllegalStateException("the ring file lists routing key " + a.routingKey().toHex() + " for storage node "
                    + a.id() + ", but " + nodeDir.resolve(StorageRouting.KEY_FILE) + " holds " + key.publicKey().toHex());
        }
        return a.withRoutingKey(key.publicKey());
    }

    private static Path storageDir(Path dir, int id) {
        return dir.resolve("storage-" + id);
    }

    private static Path keyFile(Path dir, int id) {
        return dir.resolve("replica-" + id).resolve("replica.key");
    }

    public Path ringFile() {
        return ringFile;
    }

    public RingSpec spec() {
        return spec;
    }

    public List<ReplicaNode> replicas() {
        return List.copyOf(replicas);
    }

    /** Storage node j at index j, as the ring file lists them. */
    public List<StorageNode> storageNodes() {
        return List.copyOf(storageNodes);
    }

    /**
     * Stops every replica still running, all at once (each waits for calls in flight, peers'
     * included, so one after another they would wait for each other in turn), then the storage
     * nodes, which the replicas' archivers use until they stop.
     */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (ReplicaNode r : replicas) {
            stopping.add(Thread.ofPlatform().name("ostore-stop-replica-" + r.id()).start(r::close));
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        storageNodes.forEach(StorageNode::close);
    }
}
