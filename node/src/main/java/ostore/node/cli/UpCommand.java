package ostore.node.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import ostore.node.Node;
import ostore.node.NodeConfig;
import ostore.ring.log.LogStores;
import ostore.store.Limits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "up", mixinStandardHelpOptions = true, description = "Run a node until SIGTERM or Ctrl-C, then stop it cleanly.")
final class UpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "data directory (default: ~/.ostore/data)")
    Path data;

    @Option(names = "--port", defaultValue = "" + NodeConfig.DEFAULT_PORT, description = "TCP port, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--host", defaultValue = NodeConfig.DEFAULT_HOST, description = "address to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path dir = data != null ? data : Path.of(System.getProperty("user.home"), ".ostore", "data");
        Node node = Node.start(new NodeConfig(dir, host, port, Limits.DEFAULT, LogStores.Preference.AUTO));
        spec.commandLine().getOut().println("ostore listening on " + node.address() + ", data in " + node.dataDir());
        CountDownLatch stopped = new CountDownLatch(1);
        // The JVM runs shutdown hooks on SIGTERM and SIGINT; closing there drains calls in flight
        // and makes the log and store durable before the process exits.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("ostore-shutdown").unstarted(() -> {
            node.close();
            spec.commandLine().getOut().println("ostore stopped; data in " + node.dataDir() + " is consistent");
            stopped.countDown();
        }));
        stopped.await();
        return Main.OK;
    }
}
