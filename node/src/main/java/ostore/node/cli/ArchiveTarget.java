package ostore.node.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import ostore.client.RingSpec;
import ostore.crypto.Aguid;
import ostore.crypto.KeyFiles;
import picocli.CommandLine.Option;

/**
 * The options the archive commands share: which ring file (for its storage nodes and keys) and,
 * to turn a name into an AGUID, which key. Unlike the client commands these never create a key: a
 * restore after a disaster must not quietly mint a new identity whose names resolve to nothing.
 */
final class ArchiveTarget {
    private static final Pattern AGUID_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    @Option(names = "--ring", paramLabel = "FILE", description = "the ring configuration (default: ~/.ostore/data/ring.conf)")
    Path ring;

    @Option(names = "--key", paramLabel = "PATH", description = "the key a NAME is under (default: ~/.ostore/key)")
    Path key;

    Path ringFile() {
        return ring != null ? ring : ClientOptions.defaultRingFile();
    }

    RingSpec loadRing() throws IOException {
        RingSpec spec = ClientOptions.loadRing(ringFile());
        if (!spec.archives()) {
            throw new IOException("archive disabled: " + ringFile() + " lists no storage nodes");
        }
        return spec;
    }

    /** A 64-hex argument is an AGUID; anything else is a name under the key, which must exist. */
    Aguid aguid(String nameOrAguid) throws IOException {
        if (AGUID_HEX.matcher(nameOrAguid).matches()) {
            return Aguid.fromHex(nameOrAguid);
        }
        Path k = key != null ? key : ClientOptions.defaultKeyPath();
        if (!Files.exists(k)) {
            throw new IOException("no key at " + k + " to resolve the name '" + nameOrAguid
                    + "'; give --key or the object's 64-hex AGUID");
        }
        return Aguid.of(KeyFiles.load(k).publicKey(), nameOrAguid);
    }
}
