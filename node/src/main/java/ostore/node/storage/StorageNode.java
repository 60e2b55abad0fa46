package ostore.node.storage;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.util.MutableHandlerRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import ostore.api.v1.FragmentStoreGrpc;
import ostore.archive.store.FileFragmentStore;
import ostore.archive.store.FragmentStore;
import ostore.client.RingSpec;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.SigningKey;
import ostore.routing.NodeId;
import ostore.routing.net.MemberTable;
import ostore.routing.net.RoutingServer;

/**
 * One storage node of the deep archive as a running server: a {@link FileFragmentStore} in its
 * data directory behind {@code ostore.v1.FragmentStore}, the standard health service and server
 * reflection. A node knows nothing of rings, versions or codes: it keeps objects under their hash
 * names, which is why an archive can put its fragments on any node and check whatever comes back.
 *
 * <p>Given a ring file with routing keys ({@link #hostRouting}), the node also hosts the routing
 * layer ({@code ostore.routing.v1.Routing}) on the same server and port: a {@link RoutingServer}
 * whose inventory is the store's objects. An object a put makes new goes into the node's filter
 * and its pointers to the object's rendezvous roots shortly after the put returns (a queue of at
 * most {@value #PUBLISH_QUEUE} names on one thread, so puts never wait for other nodes; past that,
 * the next republish covers it); every filter within d hops has it within the routing layer's
 * staleness bound.
 */
public final class StorageNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StorageNode.class.getName());
    /** How long {@link #close} lets calls in flight finish before cutting them off. */
    static final long DRAIN_SECONDS = 30;
    /** New objects waiting to be published to the routing layer at most; more wait for the republish. */
    static final int PUBLISH_QUEUE = 65_536;

    private final String host;
    private final Path dataDir;
    private final FragmentStore store;
    private final HealthStatusManager health;
    private final MutableHandlerRegistry registry;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong unpublished = new AtomicLong();
    private Server server;
    private volatile RoutingServer routing;
    private ThreadPoolExecutor publishing;

    private StorageNode(String host, Path dataDir, FragmentStore store, HealthStatusManager health,
            MutableHandlerRegistry registry) {
        this.host = host;
        this.dataDir = dataDir;
        this.store = store;
        this.health = health;
        this.registry = registry;
    }

    /**
     * Opens (creating if needed) the store in {@code dataDir} and serves it on {@code host:port}
     * (a free port when 0).
     *
     * @throws IOException if the directory cannot be opened or the address cannot be bound
     */
    public static StorageNode start(Path dataDir, String host, int port) throws IOException {
        return start(dataDir, host, port, Optional.empty());
    }

    /**
     * Like {@link #start(Path, String, int)}, for a node that knows its ring: it accepts into its
     * index only archive entries whose certificate {@code ringKeys} (with {@code f}) verify for the
     * key's version ({@link IndexEntryCheck}).
     */
    public static StorageNode start(Path dataDir, String host, int port, List<PublicKey> ringKeys, int f)
            throws IOException {
        return start(dataDir, host, port, Optional.of(new IndexEntryCheck(ringKeys, f)));
    }

    private static StorageNode start(Path dataDir, String host, int port, Optional<IndexEntryCheck> indexCheck)
            throws IOException {
        Objects.requireNonNull(host, "host");
        FileFragmentStore store = FileFragmentStore.open(dataDir);
        try {
            HealthStatusManager health = new HealthStatusManager();
            // Routing is added once the ring's storage nodes are all known (their ports may be 0 until bound).
            MutableHandlerRegistry registry = new MutableHandlerRegistry();
            StorageNode node = new StorageNode(host, dataDir, store, health, registry);
            StorageService service = new StorageService(store, indexCheck.orElse(null), node::objectStored);
            node.server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                    .addService(service)
                    .addService(health.getHealthService())
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .fallbackHandlerRegistry(registry)
                    .maxInboundMessageSize(StorageService.MAX_MESSAGE_BYTES)
                    .build()
                    .start();
            health.setStatus("", ServingStatus.SERVING);
            health.setStatus(FragmentStoreGrpc.SERVICE_NAME, ServingStatus.SERVING);
            FragmentStore.Usage u = store.usage();
            LOG.info(() -> "ostore storage node listening on " + node.address() + ", data in " + dataDir + ", "
                    + u.objects() + " objects, " + u.bytes() + " bytes" + (indexCheck.isPresent()
                    ? ", index entries checked against the ring's keys" : ", index entries unchecked (no ring given)"));
            return node;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The port the server is bound to; differs from the one asked for when that was 0. */
    public int port() {
        return server.getPort();
    }

    public String host() {
        return host;
    }

    /** {@code host:port} as a client dials it; an IPv6 literal goes in brackets. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port();
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * Makes this node storage node {@code storageId} of {@code spec}'s routing overlay: its
     * routing key from its data directory ({@link StorageRouting#loadOrCreateKey}), the member
     * table and neighbours from the ring file ({@link StorageRouting}), the routing service on this
     * node's server. Gossip starts with {@link #startRouting()}, so a host starting many nodes can
     * register them all first and no first round finds a peer without its service.
     *
     * @return false, after one WARNING line, when the ring file gives no routing keys (format 2):
     *     the node then serves its store without routing, and routing calls to it fail UNIMPLEMENTED
     * @throws IOException if the key cannot be read or created
     * @throws IllegalArgumentException if the ring file lists another routing key for this node,
     *     or this node is not in it
     */
    public synchronized boolean hostRouting(RingSpec spec, int storageId, Duration gossipPeriod) throws IOException {
        if (routing != null || closed.get()) {
            throw new IllegalStateException("storage node on " + dataDir + " already hosts routing or is closed");
        }
        if (storageId < 0 || storageId >= spec.storageNodes().size()) {
            throw new IllegalArgumentException("storage node " + storageId + " is not in the ring file, which lists "
                    + spec.storageNodes().size() + " storage nodes");
        }
        Optional<MemberTable> members = StorageRouting.members(spec);
        if (members.isEmpty()) {
            LOG.warning(() -> "storage node " + storageId + ": routing off: the ring file gives no routing keys for its"
                    + " storage nodes (format " + (spec.archives() ? 2 : 1) + "); this node serves its store but takes no"
                    + " part in routing and refuses routing calls (UNIMPLEMENTED); `ostore up` records the keys (format 3)");
            return false;
        }
        SigningKey key = StorageRouting.loadOrCreateKey(dataDir);
        PublicKey listed = spec.storageNodes().get(storageId).routingKey();
        if (!listed.equals(key.publicKey())) {
            throw new IllegalArgumentException("storage node " + storageId + "'s routing key in "
                    + dataDir.resolve(StorageRouting.KEY_FILE) + " (" + key.publicKey().toHex()
                    + ") is not the one the ring file lists (" + listed.toHex() + ")");
        }
        NodeId id = StorageRouting.nodeId(key.publicKey());
        RoutingServer.Options options = new RoutingServer.Options(host, port(), gossipPeriod,
                gossipPeriod.compareTo(Duration.ofSeconds(2)) < 0 ? gossipPeriod : Duration.ofSeconds(2), true);
        RoutingServer r = new RoutingServer(id, key, members.get(), StorageRouting.params(),
                StorageRouting.inventory(store), options);
        if (r.maxInboundBytes() > StorageService.MAX_MESSAGE_BYTES) {
            r.close();
            throw new IllegalStateException("routing messages of " + r.maxInboundBytes()
                    + " bytes exceed the storage server's limit of " + StorageService.MAX_MESSAGE_BYTES);
        }
        StorageRouting.Links links = StorageRouting.links(spec, storageId);
        r.setNeighbours(links.neighbours(), links.standby());
        registry.addService(r.service());
        publishing = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(PUBLISH_QUEUE),
                task -> Thread.ofPlatform().daemon().name("routing-publish-" + storageId).unstarted(task),
                (task, pool) -> {
                    long n = unpublished.incrementAndGet();
                    if (n == 1 || n % 10_000 == 0) {
                        LOG.warning(() -> "storage node " + storageId + ": " + n + " new objects not published at once"
                                + " (queue full); the next republish covers them");
                    }
                });
        routing = r;
        LOG.info(() -> "storage node " + storageId + " hosts routing node " + id + " on " + address() + ", neighbours "
                + r.neighbours());
        return true;
    }

    /** Starts the gossip rounds of the routing layer {@link #hostRouting} set up; nothing without one. */
    public synchronized void startRouting() {
        if (routing != null) {
            routing.startHosted();
        }
    }

    /** The routing layer this node hosts, if any. */
    public Optional<RoutingServer> routing() {
        return Optional.ofNullable(routing);
    }

    /**
     * Waits until every new object put so far has been published to the routing layer (its roots
     * told), at most {@code timeout}; true if so. Nothing to wait for without routing.
     */
    public boolean awaitRoutingPublished(Duration timeout) throws InterruptedException {
        ThreadPoolExecutor p;
        synchronized (this) {
            p = publishing;
        }
        if (p == null) {
            return true;
        }
        try {
            Future<?> marker = p.submit(() -> {});
            marker.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | java.util.concurrent.RejectedExecutionException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("an empty task failed", e);
        }
    }

    /** A put made {@code name} new here: into the filter and to its roots, off the put's thread. */
    private void objectStored(Hash32 name) {
        RoutingServer r = routing;
        if (r == null) {
            return;
        }
        ThreadPoolExecutor p;
        synchronized (this) {
            p = publishing;
        }
        if (p != null && !p.isShutdown()) {
            p.execute(() -> {
                try {
                    r.stored(name);
                } catch (RuntimeException e) {
                    LOG.warning(() -> "publishing " + name.toHex() + " to the routing layer failed: " + e);
                }
            });
        }
    }

    /**
     * Stops accepting calls, lets calls in flight finish (up to {@link #DRAIN_SECONDS}; a put that
     * finishes is durable), then closes the store. Closing again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RoutingServer r;
        ThreadPoolExecutor p;
        synchronized (this) {
            r = routing;
            p = publishing;
        }
        if (p != null) {
            p.shutdownNow();
        }
        if (r != null) {
            r.close();
        }
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                LOG.warning(() -> "storage calls still running after " + DRAIN_SECONDS + " s; cancelling them");
                server.shutdownNow().awaitTermination();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            store.close();
        } catch (IOException e) {
            LOG.warning(() -> "closing the store in " + dataDir + " failed: " + e.getMessage());
        }
        LOG.info(() -> "ostore storage node on " + dataDir + " stopped");
    }
}
