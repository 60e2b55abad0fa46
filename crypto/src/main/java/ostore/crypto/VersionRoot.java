package ostore.crypto;

import java.util.Objects;
import java.util.Optional;

/**
 * The root of one version of an object: everything its VGUID commits to. It lives in crypto, not
 * version-store, because clients (the SDK in api) must recompute VGUIDs to verify reads without
 * depending on the server's storage code.
 *
 * @param aguid the object
 * @param seq version number, 1 for the version that created the object
 * @param predecessor the previous version's VGUID; empty for seq 1
 * @param size total bytes over all blocks
 * @param blockCount number of blocks
 * @param blocksRoot {@link BlockListHash#root} of the block list
 * @param timestampMicros the ordering layer's timestamp for the update that made this version
 * @param acl the access list in force from this version on
 * @param updateDigest the digest of the signed update body that made this version
 */
public record VersionRoot(
        Aguid aguid,
        long seq,
        Optional<Vguid> predecessor,
        long size,
        long blockCount,
        Hash32 blocksRoot,
        long timestampMicros,
        Acl acl,
        Hash32 updateDigest) {

    /** The encoding format version, the first byte of every encoded root. */
    public static final int FORMAT_VERSION = 1;

    public VersionRoot {
        Objects.requireNonNull(aguid, "aguid");
        Objects.requireNonNull(predecessor, "predecessor");
        Objects.requireNonNull(blocksRoot, "blocksRoot");
        Objects.requireNonNull(acl, "acl");
        Objects.requireNonNull(updateDigest, "updateDigest");
        if (seq < 1) {
            throw new IllegalArgumentException("seq (" + seq + ") must be >= 1");
        }
        if (predecessor.isPresent() != (seq > 1)) {
            throw new IllegalArgumentException("seq " + seq + " must have a predecessor iff seq > 1");
        }
        if (size < 0 || blockCount < 0) {
            throw new IllegalArgumentException("size (" + size + ") and blockCount (" + blockCount + ") must be >= 0");
        }
    }

    /** The canonical encoding hashed into the VGUID; a golden test pins it. */
    public byte[] encode() {
        CanonicalEncoder e = new CanonicalEncoder(256)
                .u8(FORMAT_VERSION)
                .hash(aguid.hash())
                .i64(seq)
                .bool(predecessor.isPresent());
        predecessor.ifPresent(p -> e.hash(p.hash()));
        e.i64(size).i64(blockCount).hash(blocksRoot).i64(timestampMicros);
        acl.encodeTo(e);
        e.hash(updateDigest);
        return e.toByteArray();
    }

    public Vguid vguid() {
        return new Vguid(Hashing.hash(Domain.VGUID, encode()));
    }
}
