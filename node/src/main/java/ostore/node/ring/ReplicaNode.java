package ostore.node.ring;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.util.MutableHandlerRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.api.v1.SignedUpdate;
import ostore.client.RingSpec;
import ostore.node.archive.ArchiveOptions;
import ostore.node.archive.ArchiveRebuild;
import ostore.node.archive.ArchiveService;
import ostore.node.archive.ReplicaArchiver;
import ostore.crypto.SigningKey;
import ostore.node.service.ObjectStoreService;
import ostore.node.service.ReplicaUpdates;
import ostore.node.service.WriteAll;
import ostore.node.wire.SignedUpdateDecoder;
import ostore.ring.Clock;
import ostore.ring.bft.Replica;
import ostore.ring.bft.RingConfig;
import ostore.ring.bft.SafetyViolation;
import ostore.ring.bft.UpdateVerifier;
import ostore.ring.log.LocalSharedLog;
import ostore.ring.log.LogStoreConfig;
import ostore.ring.log.LogStores;
import ostore.ring.log.SharedLog;
import ostore.ring.runtime.ReplicaLoop;
import ostore.ring.runtime.StorageStalled;
import ostore.store.Limits;
import ostore.store.VersionStore;
import ostore.store.rocks.RocksVersionStore;

/**
 * One replica of a BFT inner ring as a running server: its version store and shared log in its
 * data directory, the replica core on its event loop, links to its peers, and one gRPC server on
 * its configured address serving clients ({@code ObjectStore}), peers ({@code RingTransport}),
 * operators ({@code RingInfo}), health and reflection.
 */
public final class ReplicaNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReplicaNode.class.getName());
    /** Above the largest replica frame, which bounds the largest message a peer sends. */
    static final int MAX_INBOUND_BYTES = RingConfig.MAX_FRAME_BYTES + (1 << 20);
    static final long DRAIN_SECONDS = 30;

    /**
     * @param dataDir holds {@code versions/} and {@code log/} of this replica alone
     * @param logStore which log store backs the replica's shared log
     * @param byzantine null, except in tests of the other replicas: the lies this one tells them
     */
    public record Config(RingSpec ring, int id, SigningKey key, Path dataDir, Limits limits,
            LogStores.Preference logStore, ByzantineMode byzantine) {
        /** A correct replica, as every production one is. */
        public Config(RingSpec ring, int id, SigningKey key, Path dataDir, Limits limits,
                LogStores.Preference logStore) {
            this(ring, id, key, dataDir, limits, logStore, null);
        }

        public Config {
            Objects.requireNonNull(ring, "ring");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(logStore, "logStore");
            Objects.checkIndex(id, ring.n());
            if (!ring.replicas().get(id).key().equals(key.publicKey())) {
                throw new IllegalArgumentException("the key's public key " + key.publicKey().toHex() + " is not replica "
                        + id + "'s in the ring configuration (" + ring.replicas().get(id).key().toHex() + ")");
            }
        }
    }

    /**
     * A started gRPC server with no services yet, so a port can be bound (and, when 0, learned)
     * before the ring configuration that names it exists.
     */
    public static final class Listener implements AutoCloseable {
        private final MutableHandlerRegistry registry = new MutableHandlerRegistry();
        /**
         * Runs the calls' handlers (frame and client-signature checks, reads). A pool of one thread
         * per core with a work-stealing queue: gRPC's default, a cached pool handing each task over
         * a SynchronousQueue, spent about 5% of a loaded ring's CPU spinning in that hand-over.
         */
        private final ForkJoinPool executor = new ForkJoinPool(Runtime.getRuntime().availableProcessors(),
                ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
        private final Server server;

        private Listener(String host, int port) throws IOException {
            this.server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                    .executor(executor)
                    .fallbackHandlerRegistry(registry)
                    .maxInboundMessageSize(MAX_INBOUND_BYTES)
                    // Peers ping their frame streams every PeerLinks.KEEPALIVE_SECONDS.
                    .permitKeepAliveTime(PeerLinks.KEEPALIVE_SECONDS / 2, TimeUnit.SECONDS)
                    .build()
                    .start();
        }

        public static Listener bind(String host, int port) throws IOException {
            return new Listener(host, port);
        }

        public int port() {
            return server.getPort();
        }

        @Override
        public void close() {
            server.shutdownNow();
            try {
                server.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor.shutdownNow();
        }
    }

    private final Config config;
    private final Listener listener;
    private final List<AutoCloseable> owned;
    private final ObjectStoreService service;
    private final RingTransportService transport;
    private final HealthStatusManager health;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ReplicaNode(Config config, Listener listener, List<AutoCloseable> owned, ObjectStoreService service,
            RingTransportService transport, HealthStatusManager health, java.util.concurrent.atomic.AtomicBoolean exitOnViolation,
            java.util.function.Supplier<Throwable> replicaFailure) {
        this.exitOnViolation = exitOnViolation;
        this.replicaFailure = replicaFailure;
        this.config = config;
        this.listener = listener;
        this.owned = owned;
        this.service = service;
        this.transport = transport;
        this.health = health;
    }

    /** Set by a replica process: a safety violation ends the process ({@link #exitOnSafetyViolation}). */
    private final java.util.concurrent.atomic.AtomicBoolean exitOnViolation;
    private final java.util.function.Supplier<Throwable> replicaFailure;

    /**
     * Makes a safety violation of the replica core ({@link SafetyViolation}) end this process at
     * once with exit code {@value SafetyViolation#EXIT_CODE} and one line on standard error, as a
     * replica process must (an embedding test keeps its JVM and sees the replica stopped instead).
     */
    public void exitOnSafetyViolation() {
        exitOnViolation.set(true);
        haltOnViolation(config.id(), replicaFailure.get(), exitOnViolation);
    }

    private static void haltOnViolation(int id, Throwable failure, java.util.concurrent.atomic.AtomicBoolean exit) {
        if (exit.get() && failure instanceof SafetyViolation v) {
            System.err.println("ostore replica " + id + " stopped on a safety violation: " + v.getMessage());
            System.err.flush();
            Runtime.getRuntime().halt(SafetyViolation.EXIT_CODE);
        }
        if (exit.get() && failure instanceof StorageStalled s) {
            // Halted, not exited: the stalled thread may hold locks a shutdown hook would wait on.
            System.err.println("ostore " + s.getMessage());
            System.err.flush();
            Runtime.getRuntime().halt(StorageStalled.EXIT_CODE);
        }
    }

    /** The system property that sets how long a disk operation may hang before the replica stops. */
    static final String STALL_SECONDS_PROPERTY = "ostore.replica.stall-seconds";

    private static java.time.Duration stallLimit() {
        long seconds = Long.getLong(STALL_SECONDS_PROPERTY, ReplicaLoop.DEFAULT_STALL_LIMIT.toSeconds());
        if (seconds < 1) {
            throw new IllegalArgumentException("-D" + STALL_SECONDS_PROPERTY + "=" + seconds + ": must be at least 1");
        }
        return java.time.Duration.ofSeconds(seconds);
    }

    /** Binds the replica's configured address and starts it. */
    public static ReplicaNode start(Config config) throws IOException {
        RingSpec.Member self = config.ring().replicas().get(config.id());
        Listener listener = Listener.bind(self.host(), self.port());
        try {
            return start(config, listener);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /**
     * Opens the store and log (the replica replays what its store lost), starts the replica's loop
     * and then serves on {@code listener}, which the node owns from now on.
     */
    public static ReplicaNode start(Config config, Listener listener) throws IOException {
        RingConfig ring = RingConfigs.toConfig(config.ring());
        // Closed in reverse order of opening, on failure here or in close().
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            Files.createDirectories(config.dataDir());
            ArchiveRebuild.refuseUnfinished(config.dataDir());
            VersionStore versions = RocksVersionStore.open(config.dataDir().resolve("versions"), config.limits());
            owned.add(versions);
            // The deep archive: certified versions are queued in <data>/archive and archived in the background.
            ReplicaArchiver archiver = ReplicaArchiver.forReplica(config.ring(), config.id(), versions,
                    config.dataDir().resolve("archive"), ArchiveOptions.fromSystemProperties());
            if (archiver != null) {
                owned.add(archiver);
            }
            VersionStore store = archiver == null ? versions : archiver.wrap(versions);
            LogStoreConfig d = LogStoreConfig.DEFAULT;
            // One log color per ring color plus the control color the replica keeps its view in.
            SharedLog log = LocalSharedLog.over(LogStores.open(config.dataDir().resolve("log"), config.logStore(),
                    new LogStoreConfig(ring.colors() + 1, d.maxRecordBytes(), d.poolBytes(), d.segmentBytes())));
            owned.add(log);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            owned.add(executor);
            SignedUpdateDecoder decoder = new SignedUpdateDecoder();
            PeerLinks peers = new PeerLinks(config.ring(), config.id());
            owned.add(peers);
            // Test-only: absent, the replica's frames and replies go out exactly as it made them.
            ByzantineMode.Hook lies = config.byzantine() == null ? null
                    : new ByzantineMode.Hook(config.byzantine(), config.id(), config.key(), ring);
            ReplicaUpdates updates = new ReplicaUpdates(store, executor, new UpdateForwarder(peers.channels()),
                    lies == null ? List::of : lies::toClients);
            ReplicaLoop.Peers sending = lies == null ? peers : lies.peers(peers);
            UpdateVerifier verifier = bytes -> decoder.verify(parse(bytes));
            ReplicaLoop loop = ReplicaLoop.start(ring, config.id(), Clock.SYSTEM, sending, updates,
                    ReplicaLoop.DEFAULT_INBOX_CAPACITY,
                    env -> new Replica(ring, config.id(), config.key(), log, store, verifier, env));
            owned.add(loop);
            loop.stallLimit(stallLimit());
            updates.attach(loop);
            ObjectStoreService service = new ObjectStoreService(store, updates, config.limits(), decoder, executor);
            HealthStatusManager health = new HealthStatusManager();
            listener.registry.addService(ServerInterceptors.intercept(service, new WriteAll()));
            RingTransportService transport = new RingTransportService(loop);
            listener.registry.addService(transport);
            listener.registry.addService(new RingInfoService(loop, log.storeKind(), decoder));
            listener.registry.addService(new ArchiveService(store, archiver));
            listener.registry.addService(health.getHealthService());
            listener.registry.addService(ProtoReflectionServiceV1.newInstance());
            health.setStatus("", ServingStatus.SERVING);
            health.setStatus(ObjectStoreGrpc.SERVICE_NAME, ServingStatus.SERVING);
            // A replica that failed never acts again (fail-stop); it must not keep looking healthy.
            java.util.concurrent.atomic.AtomicBoolean exitOnViolation = new java.util.concurrent.atomic.AtomicBoolean();
            loop.onFailure(() -> {
                health.setStatus("", ServingStatus.NOT_SERVING);
                health.setStatus(ObjectStoreGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
                haltOnViolation(config.id(), loop.failure(), exitOnViolation);
            });
            ReplicaNode node = new ReplicaNode(config, listener, owned, service, transport, health, exitOnViolation,
                    loop::failure);
            LOG.info(() -> "ostore replica " + config.id() + " of " + ring.n() + " (ring epoch " + ring.epoch()
                    + ") listening on " + node.address() + ", data in " + config.dataDir() + ", log store "
                    + log.storeKind());
            return node;
        } catch (IOException | RuntimeException e) {
            closeAll(owned, e);
            throw e;
        }
    }

    private static SignedUpdate parse(byte[] bytes) {
        try {
            return SignedUpdate.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a valid ostore.v1.SignedUpdate: " + e.getMessage(), e);
        }
    }

    public int id() {
        return config.id();
    }

    public int port() {
        return listener.port();
    }

    public String address() {
        return config.ring().replicas().get(config.id()).host() + ":" + port();
    }

    public Path dataDir() {
        return config.dataDir();
    }

    /**
     * Stops serving (calls in flight get up to {@link #DRAIN_SECONDS}), stops the replica after the
     * event it is handling, then closes its links, log and store. Closing again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        health.enterTerminalState();
        service.close();
        listener.server.shutdown();
        // Peers' frame streams into this replica never end by themselves: end them, or the drain
        // below would wait its whole timeout for them.
        transport.close();
        try {
            if (!listener.server.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                listener.close();
            }
        } catch (InterruptedException e) {
            listener.close();
            Thread.currentThread().interrupt();
        }
        closeAll(owned, null);
        LOG.info(() -> "ostore replica " + config.id() + " on " + config.dataDir() + " stopped");
    }

    private static void closeAll(List<AutoCloseable> owned, Exception cause) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (cause != null) {
                    cause.addSuppressed(e);
                } else {
                    LOG.warning(() -> "closing " + e + " failed");
                }
            }
        }
    }
}
