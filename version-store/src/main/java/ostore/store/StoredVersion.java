package ostore.store;

import java.util.List;
import java.util.Objects;
import ostore.crypto.BlockListHash;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/** A version as stored: its root, its VGUID and its block list (names and lengths). */
public record StoredVersion(VersionRoot root, Vguid vguid, List<BlockListHash.Entry> blocks) {
    public StoredVersion {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(vguid, "vguid");
        blocks = List.copyOf(blocks);
        assert root.blockCount() == blocks.size() : "block count matches the block list";
    }
}
