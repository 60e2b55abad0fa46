package ostore.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import ostore.api.v1.BlockRef;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.crypto.PublicKey;
import ostore.crypto.SigningKey;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

class ProtosTest {
    private static final PublicKey OWNER = key(1);
    private static final PublicKey WRITER_A = key(2);
    private static final PublicKey WRITER_B = key(3);
    private static final Aguid AGUID = Aguid.of(OWNER, "ledger");

    private static PublicKey key(int seedByte) {
        byte[] seed = new byte[SigningKey.SEED_LENGTH];
        Arrays.fill(seed, (byte) seedByte);
        return SigningKey.fromSeed(seed).publicKey();
    }

    private static Hash32 h(String s) {
        return Hashing.hash(Domain.UPDATE, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static VersionRoot first() {
        return new VersionRoot(AGUID, 1, Optional.empty(), 10, 1, h("blocks"), 5, Acl.ownerOnly(OWNER), h("u1"));
    }

    private static VersionRoot second() {
        Acl acl = new Acl(OWNER, List.of(WRITER_B, WRITER_A), true);
        return new VersionRoot(AGUID, 2, Optional.of(first().vguid()), 20, 2, h("blocks2"), -7, acl, h("u2"));
    }

    @Test
    void versionRootsRoundTripAndCarryTheirVguid() {
        for (VersionRoot root : List.of(first(), second())) {
            ostore.api.v1.VersionRoot proto = Protos.toProto(root);
            assertEquals(root, Protos.fromProto(proto));
            assertEquals(root.vguid(), Protos.vguid(proto.getVguid(), "vguid"));
        }
        assertTrue(Protos.toProto(first()).getPredecessor().isEmpty(), "seq 1 has no predecessor on the wire");
    }

    @Test
    void rootVguidFieldIsNotTrustedByConversion() {
        ostore.api.v1.VersionRoot proto = Protos.toProto(first()).toBuilder().setVguid(ByteString.copyFrom(new byte[32])).build();
        assertEquals(first(), Protos.fromProto(proto));
    }

    @Test
    void aclsRoundTripWithWritersInCanonicalOrder() {
        Acl acl = new Acl(OWNER, List.of(WRITER_B, WRITER_A), true);
        ostore.api.v1.Acl proto = Protos.toProto(acl);
        assertEquals(acl.writers().stream().map(Protos::toByteString).toList(), proto.getWritersList());
        assertEquals(acl, Protos.fromProto(proto));
    }

    @Test
    void unsortedOrRepeatedWritersAreRefused() {
        List<ByteString> sorted = Protos.toProto(new Acl(OWNER, List.of(WRITER_A, WRITER_B), false)).getWritersList();
        ostore.api.v1.Acl reversed = ostore.api.v1.Acl.newBuilder().setOwner(Protos.toByteString(OWNER))
                .addWriters(sorted.get(1)).addWriters(sorted.get(0)).build();
        ostore.api.v1.Acl repeated = ostore.api.v1.Acl.newBuilder().setOwner(Protos.toByteString(OWNER))
                .addWriters(sorted.get(0)).addWriters(sorted.get(0)).build();
        assertRefused("Acl.writers[1]", () -> Protos.fromProto(reversed));
        assertRefused("Acl.writers[1]", () -> Protos.fromProto(repeated));
    }

    @Test
    void blockRefsAndGuidsRoundTrip() {
        BlockListHash.Entry entry = new BlockListHash.Entry(Bguid.ofBlock(new byte[] {1, 2, 3}), 3);
        assertEquals(entry, Protos.fromProto(Protos.toProto(entry)));
        assertEquals(AGUID, Protos.aguid(Protos.toByteString(AGUID), "f"));
        Vguid v = first().vguid();
        assertEquals(v, Protos.vguid(Protos.toByteString(v), "f"));
        assertEquals(entry.bguid(), Protos.bguid(Protos.toByteString(entry.bguid()), "f"));
        assertEquals(OWNER, Protos.publicKey(Protos.toByteString(OWNER), "f"));
        assertEquals(ByteString.copyFrom(AGUID.toBytes()), Protos.toByteString(AGUID));
    }

    @Test
    void badLengthsAreRefusedNamingTheField() {
        ostore.api.v1.VersionRoot good = Protos.toProto(second());
        ByteString short31 = ByteString.copyFrom(new byte[31]);
        assertRefused("VersionRoot.aguid length (31) must be 32",
                () -> Protos.fromProto(good.toBuilder().setAguid(short31).build()));
        assertRefused("VersionRoot.predecessor length (31)",
                () -> Protos.fromProto(good.toBuilder().setPredecessor(short31).build()));
        assertRefused("VersionRoot.blocks_root length (0)",
                () -> Protos.fromProto(good.toBuilder().clearBlocksRoot().build()));
        assertRefused("VersionRoot.update_digest length (33)",
                () -> Protos.fromProto(good.toBuilder().setUpdateDigest(ByteString.copyFrom(new byte[33])).build()));
        assertRefused("VersionRoot.acl.owner length (31)",
                () -> Protos.fromProto(good.toBuilder().setAcl(good.getAcl().toBuilder().setOwner(short31)).build()));
        assertRefused("VersionRoot.acl.writers[1] length (31)",
                () -> Protos.fromProto(good.toBuilder().setAcl(good.getAcl().toBuilder().setWriters(1, short31)).build()));
        assertRefused("BlockRef.bguid length (31)",
                () -> Protos.fromProto(BlockRef.newBuilder().setBguid(short31).setLength(1).build()));
        assertRefused("Update.aguid length (31)", () -> Protos.aguid(short31, "Update.aguid"));
        assertRefused("key length (31)", () -> Protos.publicKey(short31, "key"));
    }

    @Test
    void malformedRootsAreRefused() {
        ostore.api.v1.VersionRoot one = Protos.toProto(first());
        ostore.api.v1.VersionRoot two = Protos.toProto(second());
        assertRefused("VersionRoot.seq (0) must be >= 1", () -> Protos.fromProto(one.toBuilder().setSeq(0).build()));
        assertRefused("VersionRoot.predecessor must be empty for seq 1",
                () -> Protos.fromProto(one.toBuilder().setPredecessor(two.getPredecessor()).build()));
        assertRefused("VersionRoot.predecessor length (0)",
                () -> Protos.fromProto(two.toBuilder().clearPredecessor().build()));
        assertRefused("VersionRoot.acl is missing", () -> Protos.fromProto(one.toBuilder().clearAcl().build()));
        assertRefused("VersionRoot.size (18446744073709551615) must be < 2^63",
                () -> Protos.fromProto(one.toBuilder().setSize(-1).build()));
        assertRefused("VersionRoot.block_count (9223372036854775808)",
                () -> Protos.fromProto(one.toBuilder().setBlockCount(Long.MIN_VALUE).build()));
        assertRefused("BlockRef.length (4294967295) must be < 2^31",
                () -> Protos.fromProto(Protos.toProto(new BlockListHash.Entry(Bguid.ofBlock(new byte[0]), 0))
                        .toBuilder().setLength(-1).build()));
    }

    private static void assertRefused(String fragment, Runnable conversion) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, conversion::run);
        assertTrue(e.getMessage().contains(fragment), () -> "\"" + e.getMessage() + "\" lacks \"" + fragment + "\"");
    }
}
