package ostore.node.cli;

import java.util.concurrent.Callable;
import ostore.client.CloseableIterator;
import ostore.client.OstoreClient;
import ostore.client.VerifiedRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "watch", mixinStandardHelpOptions = true, description = "Print an object's versions from --from on, then each new one as it commits.")
final class WatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "NAME|AGUID", description = "a name under your key, or a 64-hex AGUID")
    String object;

    @Option(names = "--from", paramLabel = "SEQ", defaultValue = "1", description = "first seq to print (default: ${DEFAULT-VALUE})")
    long from;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "stop after N versions; 0 watches until interrupted")
    long count;

    @Override
    public Integer call() throws Exception {
        try (OstoreClient c = client.connect(spec.commandLine().getErr());
                CloseableIterator<VerifiedRoot> versions = c.watch(ClientOptions.resolve(c, object), from)) {
            Output output = new Output(spec.commandLine().getOut(), client.json);
            for (long seen = 0; (count == 0 || seen < count) && versions.hasNext(); seen++) {
                output.version(versions.next().root());
            }
            return Main.OK;
        }
    }
}
