package ostore.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.client.OstoreClient;
import ostore.crypto.SigningKey;
import ostore.node.Node;
import ostore.node.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "Start a node on 127.0.0.1 and show create, update, abort, reads and history.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "keep the node's data here (default: a temporary directory, removed after)")
    Path data;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        // The demo's own lines say what happens; the node's start and replay logs would bury them.
        Logger.getLogger("ostore").setLevel(Level.WARNING);
        Path dir = data != null ? data : Files.createTempDirectory("ostore-demo-");
        try (Node node = Node.start(NodeConfig.defaults(dir, 0))) {
            out.println("ostore demo: a node listening on " + node.address() + ", data in " + dir);
            SigningKey key = SigningKey.generate(new SecureRandom());
            try (OstoreClient client = OstoreClient.connect(node.address(), key)) {
                new Demo(client, out).run();
            }
        } finally {
            if (data == null) {
                Demo.deleteTree(dir);
            }
        }
        out.println(data == null ? "node stopped; its temporary data is removed" : "node stopped; data kept in " + dir);
        return Main.OK;
    }
}
