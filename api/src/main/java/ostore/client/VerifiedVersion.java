package ostore.client;

import java.util.List;
import java.util.Objects;
import ostore.crypto.BlockListHash;
import ostore.crypto.Certificate;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/**
 * A version whose root, block list and (when read) bytes the client verified.
 *
 * @param root the version root
 * @param vguid the VGUID the client computed from {@code root}
 * @param blocks the block list, which hashes to {@code root.blocksRoot()}
 * @param certificate the ring's certificate for the version, checked against the ring's keys; null
 *     when read from a node by its address alone, with no ring keys to check one against
 * @param data the version's bytes, or null when they were streamed elsewhere or not read; the
 *     array is not copied, so the record's equality is by identity for it
 */
public record VerifiedVersion(VersionRoot root, Vguid vguid, List<BlockListHash.Entry> blocks, Certificate certificate,
        byte[] data) {
    public VerifiedVersion {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(vguid, "vguid");
        blocks = List.copyOf(blocks);
        assert root.vguid().equals(vguid) : "vguid must be the root's";
        assert data == null || data.length == root.size() : "data must hold exactly the version's bytes";
    }

    VerifiedVersion withData(byte[] bytes) {
        return new VerifiedVersion(root, vguid, blocks, certificate, bytes);
    }
}
