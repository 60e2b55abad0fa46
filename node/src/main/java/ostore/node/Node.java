package ostore.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Logger;
import ostore.node.ring.EmbeddedRing;
import ostore.node.ring.ReplicaNode;

/**
 * One running single node: a ring of one replica (n = 1, f = 0, {@link EmbeddedRing}) in {@link
 * NodeConfig#dataDir()}, with no storage nodes. It runs the same replica core, protocol,
 * certificates and data layout as a ring of four ({@code DIR/ring.conf}, {@code DIR/replica-0/}),
 * tolerating no fault. What {@code ostore up --single} runs, for tests and benchmarks that want a
 * node by its address alone.
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Node.class.getName());

    private final NodeConfig config;
    private final EmbeddedRing ring;

    private Node(NodeConfig config, EmbeddedRing ring) {
        this.config = config;
        this.ring = ring;
    }

    /**
     * Opens the data directory (recovering the replica from its log and store) and starts serving.
     *
     * @throws IOException if the data directory cannot be created or read (one the old one-node
     *     store wrote is refused, {@link EmbeddedRing}), or the port cannot be bound
     */
    public static Node start(NodeConfig config) throws IOException {
        EmbeddedRing ring = EmbeddedRing.start(config.dataDir(), config.host(), config.port(), config.limits(),
                config.logStore(), 0, EmbeddedRing.DEFAULT_COLORS, 0);
        Node node = new Node(config, ring);
        LOG.info(() -> "ostore node (a ring of one) listening on " + node.address() + ", data in " + config.dataDir());
        return node;
    }

    /** The port the server is bound to; differs from the configured one when that was 0. */
    public int port() {
        return ring.spec().replicas().getFirst().port();
    }

    /** {@code host:port} as a client would dial it. */
    public String address() {
        return ring.spec().replicas().getFirst().target();
    }

    public Path dataDir() {
        return config.dataDir();
    }

    /** The ring file the node wrote into its data directory, which clients can verify its answers with. */
    public Path ringFile() {
        return ring.ringFile();
    }

    /** The node's one replica. */
    public ReplicaNode replica() {
        return ring.replicas().getFirst();
    }

    /** Stops serving, lets calls in flight finish, then makes the log and the store durable. */
    @Override
    public void close() {
        ring.close();
    }
}
