package ostore.node.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import ostore.crypto.SigningKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "keygen", mixinStandardHelpOptions = true, description = "Create an Ed25519 key (file mode 0600) and print its public key.")
final class KeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--key", paramLabel = "PATH", description = "where to write it (default: ~/.ostore/key)")
    Path key;

    @Option(names = "--force", description = "replace an existing key; objects it owns can no longer be changed")
    boolean force;

    @Override
    public Integer call() throws IOException {
        Path path = key != null ? key : ClientOptions.defaultKeyPath();
        SigningKey created;
        if (!Files.exists(path)) {
            created = ClientOptions.createKey(path);
        } else if (!force) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    path + " already exists; --force replaces it (objects it owns can then no longer be changed)");
        } else {
            // Write the new key beside the old one and rename it over: a failure at any point leaves
            // one complete key at the path, never none.
            Path fresh = path.resolveSibling(path.getFileName() + ".new");
            Files.deleteIfExists(fresh);
            created = ClientOptions.createKey(fresh);
            Files.move(fresh, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        spec.commandLine().getOut().println("public key " + created.publicKey().toHex() + " written to " + path);
        return Main.OK;
    }
}
