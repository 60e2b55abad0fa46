package ostore.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import ostore.client.RingSpec;
import ostore.node.NodeConfig;
import ostore.node.ring.EmbeddedRing;
import ostore.node.ring.ReplicaNode;
import ostore.ring.log.LogStores;
import ostore.store.Limits;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Run a 4-replica BFT ring (f = 1) and its archive's storage nodes on this machine until SIGTERM or Ctrl-C,"
                + " then stop them cleanly.",
            "The ring configuration, storage nodes included, goes to DIR/ring.conf, where client commands find it.",
            "With --single, run one replica instead, a ring of one (f = 0): the same protocol, certificates"
                    + " and data format, with no fault tolerated."})
final class UpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "data directory (default: ~/.ostore/data)")
    Path data;

    @Option(names = "--port", defaultValue = "" + NodeConfig.DEFAULT_PORT,
            description = "TCP port (of replica 0; replica i listens on PORT+i), 0 for free ones (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--host", defaultValue = NodeConfig.DEFAULT_HOST, description = "address to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--single", description = "run a ring of one replica (f = 0) instead of a 4-replica ring")
    boolean single;

    @Option(names = "--storage-nodes", paramLabel = "N",
            description = {"storage nodes to start for a new ring (storage node j listens on PORT+"
                    + EmbeddedRing.STORAGE_PORT_OFFSET + "+j); 0 archives nothing; a ring file that lists storage "
                    + "nodes keeps its own (default: " + EmbeddedRing.DEFAULT_STORAGE_NODES + ", for the 6+3 archive"
                    + " code; 0 with --single)"})
    Integer storageNodes;

    @Option(names = "--colors", paramLabel = "N", defaultValue = "" + EmbeddedRing.DEFAULT_COLORS,
            description = {"groups of objects a new ring orders independently, 1..256 (an object's color is the"
                    + " first byte of its AGUID modulo N); a ring file keeps its own (default: ${DEFAULT-VALUE})"})
    int colors;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path dir = data != null ? data : Path.of(System.getProperty("user.home"), ".ostore", "data");
        PrintWriter out = spec.commandLine().getOut();
        int nodes = storageNodes != null ? storageNodes : single ? 0 : EmbeddedRing.DEFAULT_STORAGE_NODES;
        if (nodes < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--storage-nodes (" + nodes + ") must be >= 0");
        }
        if (colors < 1 || colors > 256) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--colors (" + colors + ") must be in 1..256");
        }
        EmbeddedRing ring = EmbeddedRing.start(dir, host, port, Limits.DEFAULT, LogStores.Preference.AUTO, nodes, colors,
                single ? 0 : EmbeddedRing.DEFAULT_F);
        ring.replicas().forEach(ReplicaNode::exitOnSafetyViolation);
        RingSpec s = ring.spec();
        out.println("ostore ring of " + s.n() + (s.n() == 1 ? " replica" : " replicas") + " (f = " + s.f() + ", epoch "
                + s.epoch() + ", " + s.colors() + (s.colors() == 1 ? " color" : " colors") + ") listening on "
                + String.join(", ", s.replicas().stream().map(RingSpec.Member::target).toList()));
        out.println(describeArchive(s, ring.ringFile()));
        out.println("ring configuration in " + ring.ringFile() + "; data in " + dir);
        AutoCloseable running = ring;
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        // The JVM runs shutdown hooks on SIGTERM and SIGINT; closing there drains calls in flight
        // and makes the logs and stores durable before the process exits.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("ostore-shutdown").unstarted(() -> {
            try {
                running.close();
            } catch (Exception e) {
                spec.commandLine().getErr().println("ostore: stopping failed: " + e);
            }
            spec.commandLine().getOut().println("ostore stopped; data in " + dir + " is consistent");
            stopped.countDown();
        }));
        stopped.await();
        return Main.OK;
    }

    /** One line on where the ring archives, or that it does not. */
    static String describeArchive(RingSpec ring, Path file) {
        if (!ring.archives()) {
            return "archive disabled: " + file + " lists no storage nodes";
        }
        return "archive: " + ring.storageNodes().size() + " storage nodes on "
                + String.join(", ", ring.storageNodes().stream().map(RingSpec.StorageAddress::target).toList());
    }
}
