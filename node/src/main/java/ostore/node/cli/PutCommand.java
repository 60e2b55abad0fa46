package ostore.node.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import ostore.client.OstoreClient;
import ostore.client.UpdateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "put", mixinStandardHelpOptions = true, description = "Make FILE the newest version of your object NAME, creating it if needed.")
final class PutCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME", description = "the object's name under your key")
    String name;

    @Parameters(index = "1", paramLabel = "FILE", description = "the new content")
    Path file;

    @Override
    public Integer call() throws IOException {
        byte[] content = Files.readAllBytes(file);
        try (OstoreClient c = client.connect(spec.commandLine().getErr())) {
            UpdateResult result = c.put(name, content);
            new Output(spec.commandLine().getOut(), client.json).update(result);
            return result.committed() ? Main.OK : Main.ABORTED;
        }
    }
}
