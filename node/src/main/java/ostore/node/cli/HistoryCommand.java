package ostore.node.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import ostore.api.v1.HistoryEntry;
import ostore.client.OstoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "history", mixinStandardHelpOptions = true, description = "List an object's commits and aborts, oldest first.")
final class HistoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "NAME|AGUID", description = "a name under your key, or a 64-hex AGUID")
    String object;

    @Option(names = "--from", defaultValue = "0", description = "first history index (default: ${DEFAULT-VALUE})")
    long from;

    @Option(names = "--limit", defaultValue = "0", description = "most entries to list; 0 for all")
    long limit;

    @Override
    public Integer call() throws IOException {
        try (OstoreClient c = client.connect(spec.commandLine().getErr())) {
            Output output = new Output(spec.commandLine().getOut(), client.json);
            for (HistoryEntry e : c.history(ClientOptions.resolve(c, object), from, limit)) {
                output.entry(e);
            }
            return Main.OK;
        }
    }
}
