package ostore.archive.manifest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.CanonicalDecoder;
import ostore.crypto.PublicKey;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/**
 * Reads a {@link VersionRoot#encode()} back. crypto has no decoder (nothing needed one before a
 * restore), so this one reads the format 1 fields and then insists that re-encoding gives the same
 * bytes: if crypto's encoding ever changes, restores fail loudly here instead of mis-reading.
 */
final class VersionRoots {
    private VersionRoots() {}

    static VersionRoot decode(byte[] bytes) {
        CanonicalDecoder d = new CanonicalDecoder(bytes);
        int format = d.u8("version root format");
        if (format != VersionRoot.FORMAT_VERSION) {
            throw new IllegalArgumentException("version root format (" + format + ") must be "
                    + VersionRoot.FORMAT_VERSION);
        }
        Aguid aguid = new Aguid(d.hash("version root aguid"));
        long seq = d.i64("version root seq");
        Optional<Vguid> predecessor = d.bool("version root has predecessor")
                ? Optional.of(new Vguid(d.hash("version root predecessor"))) : Optional.empty();
        long size = d.i64("version root size");
        long blockCount = d.i64("version root block count");
        var blocksRoot = d.hash("version root blocks root");
        long timestamp = d.i64("version root timestamp");
        PublicKey owner = PublicKey.of(d.bytes("version root acl owner"));
        int writerCount = d.count("version root acl writers", 4 + PublicKey.LENGTH);
        List<PublicKey> writers = new ArrayList<>(writerCount);
        for (int i = 0; i < writerCount; i++) {
            writers.add(PublicKey.of(d.bytes("version root acl writer")));
        }
        boolean encrypted = d.bool("version root acl encrypted");
        var updateDigest = d.hash("version root update digest");
        d.end("version root");
        VersionRoot root = new VersionRoot(aguid, seq, predecessor, size, blockCount, blocksRoot, timestamp,
                new Acl(owner, writers, encrypted), updateDigest);
        if (!Arrays.equals(root.encode(), bytes)) {
            throw new IllegalArgumentException("version root is not in canonical form");
        }
        return root;
    }
}
