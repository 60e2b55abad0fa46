package ostore.api;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ostore.api.v1.BlockRef;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/**
 * Converts domain values to and from their protobuf form. Conversions from protobuf accept only
 * well-formed input and throw {@link IllegalArgumentException} naming the offending field
 * ({@code "VersionRoot.acl.writers[2] length (31) must be 32"}), because the bytes usually come
 * from a peer that is not trusted.
 *
 * <p>Unsigned protobuf integers ({@code uint64}, {@code uint32}) arrive as Java {@code long} and
 * {@code int}; a value with the top bit set does not fit the domain type and is refused rather
 * than read as negative.
 */
public final class Protos {
    private Protos() {}

    // ------------------------------------------------------------------ GUIDs, digests and keys

    public static ByteString toByteString(Hash32 hash) {
        return ByteString.copyFrom(hash.toBytes());
    }

    public static ByteString toByteString(Aguid aguid) {
        return toByteString(aguid.hash());
    }

    public static ByteString toByteString(Vguid vguid) {
        return toByteString(vguid.hash());
    }

    public static ByteString toByteString(Bguid bguid) {
        return toByteString(bguid.hash());
    }

    public static ByteString toByteString(PublicKey key) {
        return ByteString.copyFrom(key.toBytes());
    }

    /** Reads a 32-byte digest; {@code field} names it in the error, e.g. {@code "Update.aguid"}. */
    public static Hash32 hash32(ByteString bytes, String field) {
        checkLength(bytes, Hash32.LENGTH, field);
        return Hash32.of(bytes.toByteArray());
    }

    public static Aguid aguid(ByteString bytes, String field) {
        return new Aguid(hash32(bytes, field));
    }

    public static Vguid vguid(ByteString bytes, String field) {
        return new Vguid(hash32(bytes, field));
    }

    public static Bguid bguid(ByteString bytes, String field) {
        return new Bguid(hash32(bytes, field));
    }

    public static PublicKey publicKey(ByteString bytes, String field) {
        checkLength(bytes, PublicKey.LENGTH, field);
        return PublicKey.of(bytes.toByteArray());
    }

    // ------------------------------------------------------------------ ACL

    /** The wire form lists writers in the record's canonical order: sorted and distinct. */
    public static ostore.api.v1.Acl toProto(Acl acl) {
        ostore.api.v1.Acl.Builder b = ostore.api.v1.Acl.newBuilder()
                .setOwner(toByteString(acl.owner()))
                .setEncrypted(acl.encrypted());
        for (PublicKey w : acl.writers()) {
            b.addWriters(toByteString(w));
        }
        return b.build();
    }

    public static Acl fromProto(ostore.api.v1.Acl proto) {
        return acl(proto, "Acl");
    }

    /**
     * Refuses writer lists that are not sorted and distinct: {@link Acl} would silently normalise
     * them, and then two different wire forms would stand for one value.
     */
    private static Acl acl(ostore.api.v1.Acl proto, String field) {
        PublicKey owner = publicKey(proto.getOwner(), field + ".owner");
        List<PublicKey> writers = new ArrayList<>(proto.getWritersCount());
        for (int i = 0; i < proto.getWritersCount(); i++) {
            PublicKey w = publicKey(proto.getWriters(i), field + ".writers[" + i + "]");
            if (!writers.isEmpty() && writers.getLast().compareTo(w) >= 0) {
                throw new IllegalArgumentException(
                        field + ".writers[" + i + "] (" + w.toHex() + ") must sort after writers[" + (i - 1)
                                + "]: the list must be sorted and distinct");
            }
            writers.add(w);
        }
        return new Acl(owner, writers, proto.getEncrypted());
    }

    // ------------------------------------------------------------------ block list

    public static BlockRef toProto(BlockListHash.Entry entry) {
        return BlockRef.newBuilder().setBguid(toByteString(entry.bguid())).setLength(entry.length()).build();
    }

    public static BlockListHash.Entry fromProto(BlockRef proto) {
        return blockRef(proto, "BlockRef");
    }

    /** Like {@link #fromProto(BlockRef)}, naming the field as {@code field} in errors. */
    public static BlockListHash.Entry blockRef(BlockRef proto, String field) {
        if (proto.getLength() < 0) {
            throw new IllegalArgumentException(field + ".length (" + Integer.toUnsignedString(proto.getLength())
                    + ") must be < 2^31");
        }
        return new BlockListHash.Entry(bguid(proto.getBguid(), field + ".bguid"), proto.getLength());
    }

    // ------------------------------------------------------------------ version root

    /** Includes the non-hashed {@code vguid} field, set to the root's own VGUID. */
    public static ostore.api.v1.VersionRoot toProto(VersionRoot root) {
        ostore.api.v1.VersionRoot.Builder b = ostore.api.v1.VersionRoot.newBuilder()
                .setAguid(toByteString(root.aguid()))
                .setSeq(root.seq())
                .setSize(root.size())
                .setBlockCount(root.blockCount())
                .setBlocksRoot(toByteString(root.blocksRoot()))
                .setTimestampMicros(root.timestampMicros())
                .setAcl(toProto(root.acl()))
                .setUpdateDigest(toByteString(root.updateDigest()))
                .setVguid(toByteString(root.vguid()));
        root.predecessor().ifPresent(p -> b.setPredecessor(toByteString(p)));
        return b.build();
    }

    /**
     * Reads the hashed fields of a root. The {@code vguid} field is ignored here: it is the
     * sender's claim, which only a verifier that recomputes the VGUID can judge.
     */
    public static VersionRoot fromProto(ostore.api.v1.VersionRoot proto) {
        String f = "VersionRoot";
        long seq = unsigned64(proto.getSeq(), f + ".seq");
        if (seq < 1) {
            throw new IllegalArgumentException(f + ".seq (" + seq + ") must be >= 1");
        }
        Optional<Vguid> predecessor = Optional.empty();
        if (seq == 1) {
            if (!proto.getPredecessor().isEmpty()) {
                throw new IllegalArgumentException(f + ".predecessor must be empty for seq 1, has "
                        + proto.getPredecessor().size() + " bytes");
            }
        } else {
            predecessor = Optional.of(vguid(proto.getPredecessor(), f + ".predecessor"));
        }
        if (!proto.hasAcl()) {
            throw new IllegalArgumentException(f + ".acl is missing");
        }
        return new VersionRoot(
                aguid(proto.getAguid(), f + ".aguid"),
                seq,
                predecessor,
                unsigned64(proto.getSize(), f + ".size"),
                unsigned64(proto.getBlockCount(), f + ".block_count"),
                hash32(proto.getBlocksRoot(), f + ".blocks_root"),
                proto.getTimestampMicros(),
                acl(proto.getAcl(), f + ".acl"),
                hash32(proto.getUpdateDigest(), f + ".update_digest"));
    }

    // ------------------------------------------------------------------ checks

    private static void checkLength(ByteString bytes, int expected, String field) {
        if (bytes.size() != expected) {
            throw new IllegalArgumentException(field + " length (" + bytes.size() + ") must be " + expected);
        }
    }

    private static long unsigned64(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " (" + Long.toUnsignedString(value) + ") must be < 2^63");
        }
        return value;
    }
}
