package ostore.node.ring;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.util.MutableHandlerRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.client.RingSpec;
import ostore.crypto.SigningKey;
import ostore.ring.bft.RingConfig;
import ostore.ring.bft.SafetyViolation;
import ostore.ring.log.LogStores;
import ostore.ring.log.NoSpace;
import ostore.ring.runtime.ReplicaLoop;
import ostore.ring.runtime.StorageStalled;
import ostore.store.Limits;

/**
 * One replica of a BFT inner ring as a running server: its version store and shared log in its
 * data directory, the replica core on its event loop, links to its peers, and one gRPC server on
 * its configured address serving clients ({@code ObjectStore}), peers ({@code RingTransport}),
 * operators ({@code RingInfo}), health and reflection. The replica itself (store, log, loop and
 * the services in front of them) is a {@link ReplicaIncarnation}: when its version store's disk
 * fills, the node closes it, answers every call with UNAVAILABLE saying why, and starts a new one
 * on the same port once the disk has room ({@link #RESUME_FREE_BYTES}).
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

    /** How much room a full disk must have again before the replica starts again: what recovery may write. */
    static final long RESUME_FREE_BYTES = 64L << 20;
    /** The longest wait between two looks at a full disk. */
    private static final long MAX_LOOK_MILLIS = 30_000;

    private final Config config;
    private final Listener listener;
    private final HealthStatusManager health = new HealthStatusManager();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set by a replica process: a safety violation ends the process ({@link #exitOnSafetyViolation}). */
    private final AtomicBoolean exitOnViolation = new AtomicBoolean();
    /** Guards {@link #current} and {@link #restarter}. */
    private final Object lock = new Object();
    /** The run serving now; null while a full disk keeps the replica stopped. */
    private ReplicaIncarnation current;
    /** The failure that stopped the last run, kept while no run serves. */
    private volatile Throwable lastFailure;
    /** The thread waiting for a full disk to have room, or null. */
    private Thread restarter;

    private ReplicaNode(Config config, Listener listener) {
        this.config = config;
        this.listener = listener;
    }

    /**
     * Makes a safety violation of the replica core ({@link SafetyViolation}) end this process at
     * once with exit code {@value SafetyViolation#EXIT_CODE} and one line on standard error, as a
     * replica process must (an embedding test keeps its JVM and sees the replica stopped instead).
     */
    public void exitOnSafetyViolation() {
        exitOnViolation.set(true);
        haltOnViolation(config.id(), failure(), exitOnViolation);
    }

    private static void haltOnViolation(int id, Throwable failure, AtomicBoolean exit) {
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

    static java.time.Duration stallLimit() {
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
        ReplicaNode node = new ReplicaNode(config, listener);
        listener.registry.addService(node.health.getHealthService());
        listener.registry.addService(ProtoReflectionServiceV1.newInstance());
        node.adopt(ReplicaIncarnation.start(config, listener.registry, node::failed)); // not closed yet: adopted
        LOG.info(() -> "ostore replica " + config.id() + " listening on " + node.address());
        return node;
    }

    /**
     * Makes {@code run} the one serving, unless the node closed meanwhile (then the caller closes
     * it); if it failed before it was adopted, acts on that now.
     */
    private boolean adopt(ReplicaIncarnation run) {
        synchronized (lock) {
            if (closed.get()) {
                return false;
            }
            current = run;
            restarter = null;
        }
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(ObjectStoreGrpc.SERVICE_NAME, ServingStatus.SERVING);
        if (run.failure() != null) {
            failed(run);
        }
        return true;
    }

    /**
     * The replica of {@code run} stopped on a failure (on its loop's thread). A replica that failed
     * never acts again in this run (fail-stop), so the node stops saying it serves; a safety
     * violation or a stalled disk ends a replica process; a full disk is waited out and the
     * replica started again ({@link #restartWhenRoom}).
     */
    private void failed(ReplicaIncarnation run) {
        Throwable failure = run.failure();
        synchronized (lock) {
            if (current != run || restarter != null) {
                // Not adopted yet (its start throws, and the caller sees that), or already handled.
                return;
            }
            lastFailure = failure;
            health.setStatus("", ServingStatus.NOT_SERVING);
            health.setStatus(ObjectStoreGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
            haltOnViolation(config.id(), failure, exitOnViolation);
            if (!NoSpace.causedBy(failure) || closed.get()) {
                return;
            }
            current = null;
            restarter = Thread.ofPlatform().name("ostore-replica-" + config.id() + "-restart").daemon(true)
                    .unstarted(() -> restartWhenRoom(run, failure));
            restarter.start();
        }
    }

    /**
     * Closes the stopped run of a replica whose disk filled, looks at the disk every second (then
     * less often, up to every {@value #MAX_LOOK_MILLIS} ms, if starting fails for want of room
     * again) until it has {@link #RESUME_FREE_BYTES} free, and starts a new run: recovery replays
     * the log as after a crash, and the replica catches up with its peers. Meanwhile every call
     * gets UNAVAILABLE saying why.
     */
    private void restartWhenRoom(ReplicaIncarnation dead, Throwable failure) {
        long stoppedAt = System.nanoTime();
        Path disk = ReplicaIncarnation.storeDir(config);
        String why = "replica " + config.id() + " is stopped: its disk is full (" + failure.getMessage()
                + "); it starts again by itself once " + disk + " has " + (RESUME_FREE_BYTES >> 20) + " MiB free";
        LOG.warning(why);
        dead.standIn(listener.registry, Status.UNAVAILABLE.withDescription(why));
        dead.stopServing();
        dead.release();
        long wait = 1_000;
        try {
            while (!closed.get()) {
                Thread.sleep(wait);
                if (Files.getFileStore(disk).getUsableSpace() < RESUME_FREE_BYTES) {
                    continue;
                }
                ReplicaIncarnation next;
                try {
                    next = ReplicaIncarnation.start(config, listener.registry, this::failed);
                } catch (IOException | RuntimeException e) {
                    if (!NoSpace.causedBy(e)) {
                        lastFailure = e;
                        String stays = "replica " + config.id() + " could not start again after its disk had room, and"
                                + " stays stopped: " + e.getMessage();
                        LOG.log(java.util.logging.Level.SEVERE, stays, e);
                        dead.standIn(listener.registry, Status.UNAVAILABLE.withDescription(stays));
                        return;
                    }
                    wait = Math.min(2 * wait, MAX_LOOK_MILLIS);
                    LOG.warning("replica " + config.id() + " found its disk full again while starting (" + e.getMessage()
                            + "): next look in " + wait / 1000 + " s");
                    continue;
                }
                if (!adopt(next)) {
                    next.stopServing();
                    next.release();
                    return;
                }
                long seconds = (System.nanoTime() - stoppedAt) / 1_000_000_000L;
                LOG.info(() -> "replica " + config.id() + " started again: its disk had room after " + seconds + " s");
                return;
            }
        } catch (InterruptedException e) {
            // The node is closing.
        } catch (IOException e) {
            lastFailure = e;
            LOG.log(java.util.logging.Level.SEVERE, "replica " + config.id() + " cannot look at its disk's free space:"
                    + " it stays stopped", e);
        }
    }

    /** Why the replica stopped, if it did, else null. */
    Throwable failure() {
        ReplicaIncarnation run;
        synchronized (lock) {
            run = current;
        }
        Throwable f = run == null ? null : run.failure();
        return f != null ? f : run == null ? lastFailure : null;
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
        ReplicaIncarnation run;
        Thread waiting;
        synchronized (lock) {
            run = current;
            current = null;
            waiting = restarter;
        }
        listener.server.shutdown();
        if (run != null) {
            run.stopServing();
        }
        try {
            if (!listener.server.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                listener.close();
            }
        } catch (InterruptedException e) {
            listener.close();
            Thread.currentThread().interrupt();
        }
        if (run != null) {
            run.release();
        }
        if (waiting != null) {
            waiting.interrupt();
            try {
                // A run it is starting closes itself once it sees the node closed.
                waiting.join(DRAIN_SECONDS * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info(() -> "ostore replica " + config.id() + " on " + config.dataDir() + " stopped");
    }
}
