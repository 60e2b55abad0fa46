package ostore.crypto;

import static ostore.crypto.ResultFixtures.sha;
import static ostore.crypto.ResultFixtures.tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The result leaf is what 2f+1 replicas sign (through the results root) about one update: its
 * encoding is pinned, since a changed byte would make every stored certificate fail, and every
 * field must change its hash, since a field the hash skips is one a Byzantine replica may rewrite.
 */
class ResultLeafTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Hash32 DIGEST = Hash32.fromHex("11".repeat(32));
    private static final Aguid AGUID = Aguid.fromHex("22".repeat(32));
    private static final Hash32 VGUID = Hash32.fromHex("33".repeat(32));
    private static final long TIMESTAMP = 1_795_000_000_123_456L;

    private static ResultLeaf committed() {
        return new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, 0, AGUID, 7, VGUID, TIMESTAMP);
    }

    private static ResultLeaf decode(byte[] bytes) {
        CanonicalDecoder d = new CanonicalDecoder(bytes);
        ResultLeaf leaf = ResultLeaf.decode(d);
        d.end("result leaf");
        return leaf;
    }

    @Test
    void goldenEncodingAndHashOfACommit() {
        ResultLeaf leaf = committed();
        String expected = "01" + "11".repeat(32) + "01" + "00" + "22".repeat(32) + "0000000000000007"
                + "33".repeat(32) + "0006608b01611240";
        assertEquals(expected, HEX.formatHex(leaf.encode()));
        assertEquals(ResultLeaf.ENCODED_BYTES, leaf.encode().length);
        assertEquals(sha(tag("ostore/result-leaf/v1"), HEX.parseHex(expected)), leaf.hash());
        assertEquals("b431bcdad80f57d9f93a90c27c5e932c026f7737b43f79dc3f0bc18af43290f5", leaf.hash().toHex());
        assertEquals(leaf, decode(leaf.encode()));
    }

    @Test
    void goldenEncodingOfAnAbortAndARejection() {
        ResultLeaf abort = new ResultLeaf(DIGEST, ResultLeaf.ABORTED, 0, AGUID, 0, ResultLeaf.NO_VGUID, -5);
        assertEquals("01" + "11".repeat(32) + "02" + "00" + "22".repeat(32) + "0000000000000000"
                + "00".repeat(32) + "fffffffffffffffb", HEX.formatHex(abort.encode()));
        ResultLeaf reject = new ResultLeaf(DIGEST, ResultLeaf.REJECTED, 8, AGUID, 3, ResultLeaf.NO_VGUID, TIMESTAMP);
        assertEquals("01" + "11".repeat(32) + "03" + "08" + "22".repeat(32) + "0000000000000003"
                + "00".repeat(32) + "0006608b01611240", HEX.formatHex(reject.encode()));
        assertEquals(abort, decode(abort.encode()));
        assertEquals(reject, decode(reject.encode()));
    }

    @Test
    void everyFieldChangesTheHash() {
        ResultLeaf base = committed();
        List<ResultLeaf> variants = List.of(
                new ResultLeaf(sha("other"), ResultLeaf.COMMITTED, 0, AGUID, 7, VGUID, TIMESTAMP),
                new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, 0, Aguid.fromHex("44".repeat(32)), 7, VGUID, TIMESTAMP),
                new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, 0, AGUID, 8, VGUID, TIMESTAMP),
                new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, 0, AGUID, 7, sha("other vguid"), TIMESTAMP),
                new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, 0, AGUID, 7, VGUID, TIMESTAMP + 1),
                new ResultLeaf(DIGEST, ResultLeaf.ABORTED, 0, AGUID, 7, ResultLeaf.NO_VGUID, TIMESTAMP),
                new ResultLeaf(DIGEST, ResultLeaf.REJECTED, 1, AGUID, 7, ResultLeaf.NO_VGUID, TIMESTAMP),
                new ResultLeaf(DIGEST, ResultLeaf.REJECTED, 2, AGUID, 7, ResultLeaf.NO_VGUID, TIMESTAMP));
        for (ResultLeaf v : variants) {
            assertNotEquals(base, v);
            assertNotEquals(base.hash(), v.hash(), v.toString());
        }
        assertNotEquals(variants.get(5).hash(), variants.get(6).hash());
        assertNotEquals(variants.get(6).hash(), variants.get(7).hash());
    }

    @Test
    void fieldsAreValidated() {
        assertRefused("outcome (0) must be 1, 2 or 3",
                () -> new ResultLeaf(DIGEST, 0, 0, AGUID, 7, VGUID, TIMESTAMP));
        assertRefused("outcome (4) must be 1, 2 or 3",
                () -> new ResultLeaf(DIGEST, 4, 0, AGUID, 7, VGUID, TIMESTAMP));
        assertRefused("rejection (1) must be 1..255 exactly when outcome (1) is rejected",
                () -> new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, 1, AGUID, 7, VGUID, TIMESTAMP));
        assertRefused("rejection (3) must be 1..255 exactly when outcome (2) is rejected",
                () -> new ResultLeaf(DIGEST, ResultLeaf.ABORTED, 3, AGUID, 7, ResultLeaf.NO_VGUID, TIMESTAMP));
        assertRefused("rejection (0) must be 1..255 exactly when outcome (3) is rejected",
                () -> new ResultLeaf(DIGEST, ResultLeaf.REJECTED, 0, AGUID, 7, ResultLeaf.NO_VGUID, TIMESTAMP));
        assertRefused("rejection (256) must be 1..255",
                () -> new ResultLeaf(DIGEST, ResultLeaf.REJECTED, 256, AGUID, 7, ResultLeaf.NO_VGUID, TIMESTAMP));
        assertRefused("rejection (-1) must be 1..255",
                () -> new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, -1, AGUID, 7, VGUID, TIMESTAMP));
        assertRefused("must be set exactly when outcome (1) is committed",
                () -> new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, 0, AGUID, 7, ResultLeaf.NO_VGUID, TIMESTAMP));
        assertRefused("must be set exactly when outcome (2) is committed",
                () -> new ResultLeaf(DIGEST, ResultLeaf.ABORTED, 0, AGUID, 7, VGUID, TIMESTAMP));
        assertRefused("must be set exactly when outcome (3) is committed",
                () -> new ResultLeaf(DIGEST, ResultLeaf.REJECTED, 1, AGUID, 7, VGUID, TIMESTAMP));
        assertRefused("seq (-1) must be >= 0",
                () -> new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, 0, AGUID, -1, VGUID, TIMESTAMP));
        assertThrows(NullPointerException.class,
                () -> new ResultLeaf(null, ResultLeaf.COMMITTED, 0, AGUID, 7, VGUID, TIMESTAMP));
        assertThrows(NullPointerException.class,
                () -> new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, 0, null, 7, VGUID, TIMESTAMP));
        assertThrows(NullPointerException.class,
                () -> new ResultLeaf(DIGEST, ResultLeaf.COMMITTED, 0, AGUID, 7, null, TIMESTAMP));
    }

    @Test
    void decodeRefusesMalformedLeaves() {
        byte[] good = committed().encode();
        byte[] format = good.clone();
        format[0] = 2;
        assertRefused("result leaf format (2) must be 1", () -> decode(format));
        byte[] outcome = good.clone();
        outcome[33] = 4;
        assertRefused("outcome (4) must be 1, 2 or 3", () -> decode(outcome));
        byte[] rejection = good.clone();
        rejection[34] = 5;
        assertRefused("rejection (5) must be 1..255 exactly when outcome (1) is rejected", () -> decode(rejection));
        byte[] seq = good.clone();
        seq[67] = (byte) 0x80;
        assertRefused("seq (-9223372036854775801) must be >= 0", () -> decode(seq));
        byte[] noVguid = good.clone();
        java.util.Arrays.fill(noVguid, 75, 107, (byte) 0);
        assertRefused("must be set exactly when outcome (1) is committed", () -> decode(noVguid));
        for (int len = 0; len < good.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(good, len);
            assertThrows(IllegalArgumentException.class, () -> decode(cut), "first " + len + " bytes");
        }
        assertRefused("result leaf timestamp needs 8 bytes but 7 are left",
                () -> decode(java.util.Arrays.copyOf(good, good.length - 1)));
    }

    private static void assertRefused(String fragment, org.junit.jupiter.api.function.Executable body) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
        if (!e.getMessage().contains(fragment)) {
            fail("message \"" + e.getMessage() + "\" lacks \"" + fragment + "\"");
        }
    }
}
