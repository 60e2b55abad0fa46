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
import ostore.client.RingPolicy;
import ostore.client.RingSpec;
import ostore.crypto.SigningKey;
import ostore.node.NodeConfig;
import ostore.node.ring.EmbeddedRing;
import ostore.ring.log.LogStores;
import ostore.store.Limits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "Start a 4-replica ring on 127.0.0.1 and show create, update, abort, certified reads and history.")
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
        try (EmbeddedRing ring = EmbeddedRing.start(dir, NodeConfig.DEFAULT_HOST, 0, Limits.DEFAULT,
                LogStores.Preference.AUTO)) {
            out.println("ostore demo: a ring of " + ring.spec().n() + " replicas (f = " + ring.spec().f() + ") on "
                    + String.join(", ", ring.spec().replicas().stream().map(RingSpec.Member::target).toList())
                    + ", data in " + dir);
            out.println("every update below was accepted on f+1 = " + ring.spec().weakQuorum()
                    + " matching signed replies; every read carried a certificate of 2f+1 = " + ring.spec().quorum()
                    + " signatures");
            SigningKey key = SigningKey.generate(new SecureRandom());
            try (OstoreClient client = OstoreClient.connectRing(ring.spec(), key, RingPolicy.DEFAULT)) {
                new Demo(client, out).run();
            }
        } finally {
            if (data == null) {
                Demo.deleteTree(dir);
            }
        }
        out.println(data == null ? "ring stopped; its temporary data is removed" : "ring stopped; data kept in " + dir);
        return Main.OK;
    }
}
