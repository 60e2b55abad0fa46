package ostore.crypto;

import static ostore.crypto.ResultFixtures.RING4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The statement a replica signs is its BATCH-RESULT frame without the signature: the bytes are
 * pinned, and a signature must bind the signer's index and every field, so that it cannot be
 * replayed as another replica's or for another epoch, color, batch or root.
 */
class ResultStatementTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Hash32 ROOT = Hash32.fromHex("ab".repeat(32));
    private static final ResultStatement STATEMENT = new ResultStatement(3, 2, 17, ROOT);

    private static byte[] body(ResultStatement s) {
        CanonicalEncoder e = new CanonicalEncoder();
        s.encodeBody(e);
        return e.toByteArray();
    }

    private static ResultStatement decode(byte[] bytes) {
        CanonicalDecoder d = new CanonicalDecoder(bytes);
        ResultStatement s = ResultStatement.decodeBody(d);
        d.end("statement");
        return s;
    }

    @Test
    void signedBytesAreTheBatchResultFrameWithoutItsSignature() {
        assertEquals("0000000000000003" + "00000002" + "0000000000000011" + "ab".repeat(32), HEX.formatHex(body(STATEMENT)));
        assertEquals("01" + "04" + "00000001" + "0000000000000003" + "00000002" + "0000000000000011" + "ab".repeat(32),
                HEX.formatHex(STATEMENT.signedBytes(1)));
        assertEquals(ResultStatement.BODY_BYTES, body(STATEMENT).length);
        assertEquals(STATEMENT, decode(body(STATEMENT)));
    }

    @Test
    void aSignatureVerifiesOnlyForItsSignerAndStatement() {
        byte[] sig = RING4.get(1).sign(Domain.RING_MESSAGE, STATEMENT.signedBytes(1));
        PublicKey key = RING4.get(1).publicKey();
        assertTrue(STATEMENT.verify(1, key, sig));
        assertFalse(STATEMENT.verify(2, key, sig), "as another replica's");
        assertFalse(STATEMENT.verify(1, RING4.get(2).publicKey(), sig), "under another key");
        for (ResultStatement other : List.of(new ResultStatement(4, 2, 17, ROOT), new ResultStatement(3, 3, 17, ROOT),
                new ResultStatement(3, 2, 18, ROOT), new ResultStatement(3, 2, 17, Hash32.fromHex("ac".repeat(32))))) {
            assertFalse(other.verify(1, key, sig), other.toString());
        }
        byte[] otherDomain = RING4.get(1).sign(Domain.UPDATE_SIGNATURE, STATEMENT.signedBytes(1));
        assertFalse(STATEMENT.verify(1, key, otherDomain), "signed under another domain");
        assertFalse(STATEMENT.verify(1, key, new byte[63]));
        byte[] flipped = sig.clone();
        flipped[10] ^= 1;
        assertFalse(STATEMENT.verify(1, key, flipped));
    }

    @Test
    void fieldsAreValidated() {
        assertEquals("epoch (-1) and color (0) must be >= 0 and seqno (1) >= 1",
                assertThrows(IllegalArgumentException.class, () -> new ResultStatement(-1, 0, 1, ROOT)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ResultStatement(0, -1, 1, ROOT));
        assertEquals("epoch (0) and color (0) must be >= 0 and seqno (0) >= 1",
                assertThrows(IllegalArgumentException.class, () -> new ResultStatement(0, 0, 0, ROOT)).getMessage());
        assertThrows(NullPointerException.class, () -> new ResultStatement(0, 0, 1, null));
    }

    @Test
    void decodeRefusesNegativeAndOversizedFields() {
        byte[] good = body(STATEMENT);
        byte[] epoch = good.clone();
        epoch[0] = (byte) 0x80;
        assertEquals("result epoch (-9223372036854775805) must be >= 0",
                assertThrows(IllegalArgumentException.class, () -> decode(epoch)).getMessage());
        byte[] color = good.clone();
        color[8] = (byte) 0x80;
        assertEquals("result color (2147483650) exceeds 2147483647",
                assertThrows(IllegalArgumentException.class, () -> decode(color)).getMessage());
        byte[] seqno = good.clone();
        java.util.Arrays.fill(seqno, 12, 20, (byte) 0);
        assertEquals("epoch (3) and color (2) must be >= 0 and seqno (0) >= 1",
                assertThrows(IllegalArgumentException.class, () -> decode(seqno)).getMessage());
        assertEquals("result root needs 32 bytes but 31 are left", assertThrows(IllegalArgumentException.class,
                () -> decode(java.util.Arrays.copyOf(good, good.length - 1))).getMessage());
    }
}
