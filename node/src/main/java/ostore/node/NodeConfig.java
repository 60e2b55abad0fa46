package ostore.node;

import java.nio.file.Path;
import java.util.Objects;
import ostore.ring.log.LogStores;
import ostore.store.Limits;

/**
 * How to run one node.
 *
 * @param dataDir holds the node's ring file ({@code ring.conf}) and its one replica's key, log and
 *     version store ({@code replica-0/}): a single node is a ring of one ({@link Node})
 * @param host the address to listen on; loopback by default, because a node has no transport
 *     security yet and must not be reachable from other machines unless asked
 * @param port the TCP port; 0 picks a free one (see {@link Node#port()})
 * @param limits size limits enforced on updates
 * @param logStore which log store backs the shared log
 */
public record NodeConfig(Path dataDir, String host, int port, Limits limits, LogStores.Preference logStore) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7420;

    public NodeConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(logStore, "logStore");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port (" + port + ") must be in 0..65535");
        }
    }

    /** Loopback, default limits, the best log store this machine has. */
    public static NodeConfig defaults(Path dataDir, int port) {
        return new NodeConfig(dataDir, DEFAULT_HOST, port, Limits.DEFAULT, LogStores.Preference.AUTO);
    }

    public NodeConfig withLimits(Limits newLimits) {
        return new NodeConfig(dataDir, host, port, newLimits, logStore);
    }

    public NodeConfig withPort(int newPort) {
        return new NodeConfig(dataDir, host, newPort, limits, logStore);
    }

}
