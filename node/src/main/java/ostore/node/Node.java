package ostore.node;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.node.service.ObjectStoreService;
import ostore.node.wire.SignedUpdateDecoder;
import ostore.ring.Clock;
import ostore.ring.LocalRing;
import ostore.ring.Ring;
import ostore.store.VersionStore;
import ostore.store.rocks.RocksVersionStore;

/**
 * One running ostore node: the version store, the (single-replica) ring over its shared log, and
 * the gRPC server in front of them, with the standard health service and server reflection.
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Node.class.getName());

    /**
     * Room above the update limit for the {@code SignedUpdate} envelope and gRPC framing, so a
     * slightly oversize update reaches the service and gets a message naming the limit instead of
     * the transport's generic refusal.
     */
    static final int INBOUND_SLACK_BYTES = 1 << 20;

    /** How long {@link #close} lets calls in flight finish before cutting them off. */
    static final long DRAIN_SECONDS = 30;

    private final NodeConfig config;
    private final VersionStore store;
    private final Ring ring;
    private final ExecutorService watchExecutor;
    private final ObjectStoreService service;
    private final HealthStatusManager health;
    private final Server server;

    private Node(NodeConfig config, VersionStore store, Ring ring, ExecutorService watchExecutor,
            ObjectStoreService service, HealthStatusManager health, Server server) {
        this.config = config;
        this.store = store;
        this.ring = ring;
        this.watchExecutor = watchExecutor;
        this.service = service;
        this.health = health;
        this.server = server;
    }

    /**
     * Opens the data directory (replaying the log into the version store) and starts serving.
     *
     * @throws IOException if the data directory cannot be created or the port cannot be bound
     */
    public static Node start(NodeConfig config) throws IOException {
        Files.createDirectories(config.dataDir());
        SignedUpdateDecoder decoder = new SignedUpdateDecoder();
        VersionStore store = RocksVersionStore.open(config.dataDir().resolve("versions"), config.limits());
        Ring ring = null;
        ExecutorService watchExecutor = null;
        try {
            ring = LocalRing.start(config.dataDir().resolve("log"), store, decoder, Clock.SYSTEM,
                    ringOptions(config));
            watchExecutor = Executors.newVirtualThreadPerTaskExecutor();
            ObjectStoreService service = new ObjectStoreService(store, ring, config.limits(), decoder, watchExecutor);
            HealthStatusManager health = new HealthStatusManager();
            Server server = serve(config, service, health);
            Node node = new Node(config, store, ring, watchExecutor, service, health, server);
            LOG.info(() -> "ostore node listening on " + node.address() + ", data in " + config.dataDir()
                    + ", log store " + node.ring.status().logStore());
            return node;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ring, watchExecutor, store, e);
            throw e;
        }
    }

    private static Server serve(NodeConfig config, ObjectStoreService service, HealthStatusManager health)
            throws IOException {
        int maxInbound = (int) Math.min(Integer.MAX_VALUE, (long) config.limits().maxUpdateBytes() + INBOUND_SLACK_BYTES);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
                .addService(service)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .maxInboundMessageSize(maxInbound)
                .build()
                .start();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(ObjectStoreGrpc.SERVICE_NAME, ServingStatus.SERVING);
        return server;
    }

    private static LocalRing.Options ringOptions(NodeConfig config) {
        LocalRing.Options d = LocalRing.Options.DEFAULT;
        return new LocalRing.Options(d.checkpointInterval(), config.logStore(), d.logConfig());
    }

    /** The port the server is bound to; differs from the configured one when that was 0. */
    public int port() {
        return server.getPort();
    }

    /** {@code host:port} as a client would dial it. */
    public String address() {
        return config.host() + ":" + port();
    }

    public Path dataDir() {
        return config.dataDir();
    }

    /**
     * Stops accepting calls, ends open watches, lets calls in flight finish (up to {@link
     * #DRAIN_SECONDS}), then closes the ring (which makes the log durable) and the store.
     */
    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        service.close();
        try {
            if (!server.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                LOG.warning(() -> "calls still running after " + DRAIN_SECONDS + " s; cancelling them");
                server.shutdownNow().awaitTermination();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        watchExecutor.close();
        ring.close();
        store.close();
        LOG.info(() -> "ostore node on " + config.dataDir() + " stopped");
    }

    private static void closeQuietly(Ring ring, ExecutorService executor, VersionStore store, Exception cause) {
        for (AutoCloseable c : new AutoCloseable[] {ring, executor, store}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception suppressed) {
                cause.addSuppressed(suppressed);
            }
        }
    }
}
