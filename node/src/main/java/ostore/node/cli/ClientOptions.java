package ostore.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import ostore.client.OstoreClient;
import ostore.client.RingFile;
import ostore.client.RingPolicy;
import ostore.client.RingSpec;
import ostore.crypto.Aguid;
import ostore.crypto.KeyFiles;
import ostore.crypto.SigningKey;
import ostore.node.ring.EmbeddedRing;
import picocli.CommandLine.Option;

/** The options every client command takes, and what they resolve to. */
final class ClientOptions {
    private static final Pattern AGUID_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    static final String DEFAULT_SERVER = "127.0.0.1:7420";

    @Option(names = "--server", paramLabel = "HOST:PORT",
            description = "talk to this node by its address, without checking its answers against a ring's keys")
    String server;

    @Option(names = "--ring", paramLabel = "FILE",
            description = "the ring configuration to talk to (default: the one `ostore up` wrote, "
                    + "~/.ostore/data/ring.conf; without it and without --server, a single node on " + DEFAULT_SERVER + ")")
    Path ring;

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

    static Path defaultRingFile() {
        return Path.of(System.getProperty("user.home"), ".ostore", "data", EmbeddedRing.RING_FILE);
    }

    /** The ring file to use, or null for a single node: --server wins, then --ring, then the default file if present. */
    Path ringFile() {
        if (server != null) {
            return null;
        }
        if (ring != null) {
            return ring;
        }
        return Files.exists(defaultRingFile()) ? defaultRingFile() : null;
    }

    /**
     * Opens a client with the key, creating the key (with a notice on {@code err}) if missing: of
     * the ring when there is a ring file to use (see {@link #ringFile}), else of one node.
     */
    OstoreClient connect(PrintWriter err) throws IOException {
        SigningKey k = loadOrCreateKey(keyPath(), err);
        Path file = ringFile();
        if (file != null) {
            return OstoreClient.connectRing(loadRing(file), k, RingPolicy.DEFAULT);
        }
        return OstoreClient.connect(server != null ? server : DEFAULT_SERVER, k);
    }

    /** Reads a ring file; a malformed one is reported with its file and line, like a bad option. */
    static RingSpec loadRing(Path file) throws IOException {
        try {
            return RingFile.load(file);
        } catch (IllegalArgumentException e) {
            throw new IOException("ring configuration " + e.getMessage(), e);
        }
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
