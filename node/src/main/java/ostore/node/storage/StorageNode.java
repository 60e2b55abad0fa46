package ostore.node.storage;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import ostore.api.v1.FragmentStoreGrpc;
import ostore.archive.store.FileFragmentStore;
import ostore.archive.store.FragmentStore;
import ostore.crypto.PublicKey;

/**
 * One storage node of the deep archive as a running server: a {@link FileFragmentStore} in its
 * data directory behind {@code ostore.v1.FragmentStore}, the standard health service and server
 * reflection. A node knows nothing of rings, versions or codes: it keeps objects under their hash
 * names, which is why an archive can put its fragments on any node and check whatever comes back.
 */
public final class StorageNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StorageNode.class.getName());
    /** How long {@link #close} lets calls in flight finish before cutting them off. */
    static final long DRAIN_SECONDS = 30;

    private final String host;
    private final Path dataDir;
    private final FragmentStore store;
    private final HealthStatusManager health;
    private final Server server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private StorageNode(String host, Path dataDir, FragmentStore store, HealthStatusManager health, Server server) {
        this.host = host;
        this.dataDir = dataDir;
        this.store = store;
        this.health = health;
        this.server = server;
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
            StorageService service = indexCheck.map(c -> new StorageService(store, c))
                    .orElseGet(() -> new StorageService(store));
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                    .addService(service)
                    .addService(health.getHealthService())
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .maxInboundMessageSize(StorageService.MAX_MESSAGE_BYTES)
                    .build()
                    .start();
            health.setStatus("", ServingStatus.SERVING);
            health.setStatus(FragmentStoreGrpc.SERVICE_NAME, ServingStatus.SERVING);
            StorageNode node = new StorageNode(host, dataDir, store, health, server);
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
     * Stops accepting calls, lets calls in flight finish (up to {@link #DRAIN_SECONDS}; a put that
     * finishes is durable), then closes the store. Closing again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
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
