package ostore.store;

import java.util.List;
import java.util.Objects;
import ostore.crypto.BlockListHash;
import ostore.crypto.VersionRoot;

/**
 * A certified version as the deep archive gives it back, for {@link VersionStore#installArchived}:
 * its root, its block list (names and lengths) and the ring's certificate. The block bytes are not
 * here: they go to the store one at a time through {@link VersionStore#stageBlock}, so a large
 * version is never held in memory. The archive keeps versions, not the updates that made them, so
 * there is no history entry (writer, nonce, clause) to carry.
 *
 * <p>The block list is checked against the root on construction (count, total size, Merkle root),
 * so the pair names exactly the bytes the root's VGUID commits to; the certificate is checked by
 * the store against the ring's keys, which only the caller knows.
 */
public record ArchivedVersion(VersionRoot root, List<BlockListHash.Entry> blocks, byte[] certificate) {
    /** @throws IllegalArgumentException if the block list is not the root's, or the certificate is empty */
    public ArchivedVersion {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(certificate, "certificate");
        blocks = List.copyOf(blocks);
        certificate = certificate.clone();
        String what = "archived version " + root.seq() + " of " + root.aguid();
        if (certificate.length == 0) {
            throw new IllegalArgumentException(what + " has an empty certificate");
        }
        if (blocks.size() != root.blockCount()) {
            throw new IllegalArgumentException(what + ": its root names " + root.blockCount() + " blocks, the list has "
                    + blocks.size());
        }
        long size = blocks.stream().mapToLong(BlockListHash.Entry::length).sum();
        if (size != root.size()) {
            throw new IllegalArgumentException(what + ": its root says " + root.size() + " bytes, the blocks hold "
                    + size);
        }
        if (!BlockListHash.root(blocks).equals(root.blocksRoot())) {
            throw new IllegalArgumentException(what + ": the block list does not hash to the root's blocks root "
                    + root.blocksRoot());
        }
    }

    @Override
    public byte[] certificate() {
        return certificate.clone();
    }

    /** The version as the store keeps it, named by its root's VGUID. */
    public StoredVersion version() {
        return new StoredVersion(root, root.vguid(), blocks);
    }
}
