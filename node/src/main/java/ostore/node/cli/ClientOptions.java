package ostore.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import ostore.client.OstoreClient;
import ostore.crypto.Aguid;
import ostore.crypto.KeyFiles;
import ostore.crypto.SigningKey;
import picocli.CommandLine.Option;

/** The options every client command takes, and what they resolve to. */
final class ClientOptions {
    private static final Pattern AGUID_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    @Option(names = "--server", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7420",
            description = "the node to talk to (default: ${DEFAULT-VALUE})")
    String server;

    @Option(names = "--key", paramLabel = "PATH",
            description = "your Ed25519 key; created on first use (default: ~/.ostore/key)")
    Path key;

    @Option(names = "--json", description = "print one JSON object per line, for scripts")
    boolean json;

    static Path defaultKeyPath() {
        return Path.of(System.getProperty("user.home"), ".ostore", "key");
    }

    Path keyPath() {
        return key != null ? key : defaultKeyPath();
    }

    /** Opens a client with the key, creating the key (with a notice on {@code err}) if missing. */
    OstoreClient connect(PrintWriter err) throws IOException {
        return OstoreClient.connect(server, loadOrCreateKey(keyPath(), err));
    }

    /** A 64-hex argument is an AGUID; anything else is a name under the caller's key. */
    static Aguid resolve(OstoreClient client, String nameOrAguid) {
        return AGUID_HEX.matcher(nameOrAguid).matches() ? Aguid.fromHex(nameOrAguid) : client.aguidOf(nameOrAguid);
    }

    static SigningKey loadOrCreateKey(Path path, PrintWriter err) throws IOException {
        if (Files.exists(path)) {
            return KeyFiles.load(path);
        }
        SigningKey created = createKey(path);
        err.println("ostore: created a new key at " + path + " (public key " + created.publicKey().toHex() + ")");
        return created;
    }

    /** The key's directory is made private too: it lists which keys a user holds. */
    static SigningKey createKey(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        SigningKey key = SigningKey.generate(new SecureRandom());
        KeyFiles.save(key, path);
        return key;
    }
}
