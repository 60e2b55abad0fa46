package ostore.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins every hashed encoding to constants computed once. If one of these fails, a stored GUID or
 * signature would no longer verify: revert the change, or introduce a new format version.
 */
class GoldenEncodingTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void domainPrefixesAreTheAsciiTagAndAZeroByte() {
        Map<Domain, String> expected = new LinkedHashMap<>();
        expected.put(Domain.AGUID, "6f73746f72652f61677569642f763100");
        expected.put(Domain.BGUID, "6f73746f72652f62677569642f763100");
        expected.put(Domain.VGUID, "6f73746f72652f76677569642f763100");
        expected.put(Domain.BLOCK_LIST_LEAF, "6f73746f72652f626c6f636b6c6973742d6c6561662f763100");
        expected.put(Domain.BLOCK_LIST_NODE, "6f73746f72652f626c6f636b6c6973742d6e6f64652f763100");
        expected.put(Domain.UPDATE, "6f73746f72652f7570646174652f763100");
        expected.put(Domain.UPDATE_SIGNATURE, "6f73746f72652f7570646174652d7369676e61747572652f763100");
        expected.put(Domain.RING_MESSAGE, "6f73746f72652f72696e672d6d6573736167652f763100");
        expected.put(Domain.RING_BATCH, "6f73746f72652f72696e672d62617463682f763100");
        expected.put(Domain.RESULT_LEAF, "6f73746f72652f726573756c742d6c6561662f763100");
        expected.put(Domain.RESULT_NODE, "6f73746f72652f726573756c742d6e6f64652f763100");
        expected.put(Domain.RING_STATE, "6f73746f72652f72696e672d73746174652f763100");
        expected.put(Domain.ARCHIVE_OBJECT, "6f73746f72652f617263686976652d6f626a6563742f763100");
        expected.put(Domain.ARCHIVE_INDEX, "6f73746f72652f617263686976652d696e6465782f763100");
        expected.put(Domain.ARCHIVE_FRAGMENT_NODE, "6f73746f72652f617263686976652d667261676d656e742d6e6f64652f763100");
        expected.put(Domain.ARCHIVE_PLACEMENT, "6f73746f72652f617263686976652d706c6163656d656e742f763100");
        expected.put(Domain.STORE_STATE, "6f73746f72652f73746f72652d73746174652f763100");
        expected.put(Domain.RING_CHECKPOINT, "6f73746f72652f72696e672d636865636b706f696e742f763100");
        expected.put(Domain.UPDATE_DIGEST_SIGNATURE, "6f73746f72652f7570646174652d7369676e61747572652f763200");
        expected.put(Domain.UPDATE_BY_WRITER, "6f73746f72652f7570646174652f763200");
        Map<Domain, String> actual = new LinkedHashMap<>();
        for (Domain d : Domain.values()) {
            actual.put(d, HEX.formatHex(d.prefix()));
        }
        assertEquals(expected, actual, "a new domain needs a pinned prefix here; an old one must not change");
        assertEquals("ostore/update-signature/v1", Domain.UPDATE_SIGNATURE.tag());
    }

    @Test
    void prefixIsACopyCallersCannotCorrupt() {
        Domain.AGUID.prefix()[0] = 'X';
        assertEquals("6f73746f72652f61677569642f763100", HEX.formatHex(Domain.AGUID.prefix()));
    }

    @Test
    void fixedSeedGivesTheKnownEd25519PublicKey() {
        assertEquals("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8",
                Fixtures.OWNER.publicKey().toHex());
    }

    @Test
    void aguidOfFixedOwnerAndName() {
        assertEquals("f52fec8ee416a1560ab662b134da5b986d76b6c350c128f2f8578b6436c54ba5", Fixtures.aguid().toHex());
    }

    @Test
    void aguidIsShaOfTagOwnerAndNameLengthPrefixed() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Fixtures.ascii("ostore/aguid/v1\0"));
        sha.update(HEX.parseHex("00000020"));
        sha.update(Fixtures.OWNER.publicKey().toBytes());
        sha.update(HEX.parseHex("0000000b"));
        sha.update(Fixtures.ascii(Fixtures.NAME));
        assertEquals(HEX.formatHex(sha.digest()), Fixtures.aguid().toHex());
    }

    @Test
    void bguidOfHello() throws Exception {
        Bguid b = Bguid.ofBlock(Fixtures.ascii("hello"));
        assertEquals("76cf86e420e9a3545f7ca702df2476d7040aca35c82be1316a8096b7fa06d363", b.toHex());
        byte[] plain = MessageDigest.getInstance("SHA-256").digest(Fixtures.ascii("ostore/bguid/v1\0hello"));
        assertEquals(HEX.formatHex(plain), b.toHex());
    }

    @Test
    void blockListRoots() {
        assertEquals("eedf3498e1a67cd15cfa69d12e7743030f0456d27f1e81492b017bd791728d57", rootHex(0));
        assertEquals("b5cb500611116cd1d868882a2df104a298ce840e69d2e5b6fe482e4634cb0739", rootHex(1));
        assertEquals("353b2c58e42aefb1636afb43d7ab2c9ceacaf582b07d06f2470b6ce061804934", rootHex(2));
        assertEquals("20e9df3dd4b309fb3ece2c854ce38f56b019eaa324acc54337f13171acba7b87", rootHex(3));
        assertEquals("15c56abefbae3b6cecb7b7bd59aef625c68b544d04a6859c580048be5607f869", rootHex(5));
    }

    @Test
    void blockListRootOfThreeCarriesTheOddLeafUp() {
        List<Hash32> leaves = new ArrayList<>();
        List<BlockListHash.Entry> entries = Fixtures.entries(3);
        for (int i = 0; i < entries.size(); i++) {
            byte[] leaf = new CanonicalEncoder().i64(i).u32(entries.get(i).length())
                    .hash(entries.get(i).bguid().hash()).toByteArray();
            leaves.add(Hashing.hash(Domain.BLOCK_LIST_LEAF, leaf));
        }
        Hash32 left = Hashing.hashPair(Domain.BLOCK_LIST_NODE, leaves.get(0), leaves.get(1));
        assertEquals(Hashing.hashPair(Domain.BLOCK_LIST_NODE, left, leaves.get(2)), BlockListHash.root(entries));
    }

    @Test
    void blockListRootBindsOrderAndLength() {
        List<BlockListHash.Entry> two = Fixtures.entries(2);
        List<BlockListHash.Entry> swapped = List.of(two.get(1), two.get(0));
        List<BlockListHash.Entry> longer = List.of(two.get(0), new BlockListHash.Entry(two.get(1).bguid(), 8));
        assertNotEquals(BlockListHash.root(two), BlockListHash.root(swapped));
        assertNotEquals(BlockListHash.root(two), BlockListHash.root(longer));
    }

    @Test
    void versionRootOfSeq1() {
        VersionRoot root = Fixtures.rootSeq1();
        assertEquals("01"
                + "f52fec8ee416a1560ab662b134da5b986d76b6c350c128f2f8578b6436c54ba5" // aguid
                + "0000000000000001" + "00" // seq, no predecessor
                + "0000000000000005" + "0000000000000001" // size, block count
                + "269f4c4c93be8ec555f106dad07cb4b9b24fb0dd00dc4d078663db901ea0d9c2" // blocks root
                + "0006608b015f3000" // timestamp
                + "00000020" + "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8" // owner
                + "00000000" + "00" // no writers, not encrypted
                + "4f54dc247e88ee6a71083851898765424eab286c76328ffcb56221220f0d851f", // update digest
                HEX.formatHex(root.encode()));
        assertEquals("ff18387507ea1fd94153144487fd2d63919699c809bdb18ad868350191d0935c", root.vguid().toHex());
    }

    @Test
    void versionRootOfSeq2WithPredecessorWritersAndEncryption() {
        VersionRoot root = Fixtures.rootSeq2();
        assertEquals("01"
                + "f52fec8ee416a1560ab662b134da5b986d76b6c350c128f2f8578b6436c54ba5"
                + "0000000000000002"
                + "01" + "ff18387507ea1fd94153144487fd2d63919699c809bdb18ad868350191d0935c" // predecessor
                + "0000000000000015" + "0000000000000003"
                + "20e9df3dd4b309fb3ece2c854ce38f56b019eaa324acc54337f13171acba7b87"
                + "0006608b015f33e8"
                + "00000020" + "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
                + "00000002" // writers, sorted by key bytes
                + "00000020" + "2543b92ff1095511476adc8369db6ddc933665a11978dda1404ee1066ca9559d"
                + "00000020" + "29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7"
                + "01" // encrypted
                + "22825e3e3a991782ad41c461ac2dcd2933790582cc3d6b97ee922803a21cd70b",
                HEX.formatHex(root.encode()));
        assertEquals("b356fc105b8f20834e6daf6cae1dda98fa1424f7dcbbdcf44c2f51ad92c8a427", root.vguid().toHex());
    }

    @Test
    void vguidIsTheDomainHashOfTheEncoding() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Fixtures.ascii("ostore/vguid/v1\0"));
        sha.update(Fixtures.rootSeq2().encode());
        assertEquals(HEX.formatHex(sha.digest()), Fixtures.rootSeq2().vguid().toHex());
    }

    private static String rootHex(int count) {
        return BlockListHash.root(Fixtures.entries(count)).toHex();
    }
}
