package ostore.crypto;

import static ostore.crypto.ResultFixtures.OUTSIDER;
import static ostore.crypto.ResultFixtures.RING4;
import static ostore.crypto.ResultFixtures.leaf;
import static ostore.crypto.ResultFixtures.proof;
import static ostore.crypto.ResultFixtures.sign;
import static ostore.crypto.ResultFixtures.statement;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One replica's signed answer about one update. A client counts it toward f+1 only if it
 * verifies under that replica's key: the tests check that it fails for any other key, signer
 * index, statement, leaf or proof, and pin the format.
 */
class ResultReplyTest {
    private static final HexFormat HEX = HexFormat.of();

    private static ResultReply reply(int replica) {
        return new ResultReply(leaf(), proof(), replica, statement(), sign(RING4.get(replica), statement(), replica));
    }

    private static void assertDecodeRefused(String fragment, byte[] bytes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResultReply.decode(bytes));
        if (!e.getMessage().contains(fragment)) {
            fail("message \"" + e.getMessage() + "\" lacks \"" + fragment + "\"");
        }
    }

    @Test
    void eachReplicasReplyVerifiesUnderItsKeyOnly() {
        for (int i = 0; i < RING4.size(); i++) {
            ResultReply r = reply(i);
            for (int k = 0; k < RING4.size(); k++) {
                assertEquals(i == k, r.verify(RING4.get(k).publicKey()), "reply of " + i + " under key " + k);
            }
            assertFalse(r.verify(OUTSIDER.publicKey()));
            ResultReply decoded = ResultReply.decode(r.encode());
            assertTrue(decoded.verify(RING4.get(i).publicKey()));
            assertEquals(r.leaf(), decoded.leaf());
            assertEquals(r.proof(), decoded.proof());
            assertEquals(r.statement(), decoded.statement());
            assertEquals(i, decoded.signer());
            assertArrayEquals(r.signature(), decoded.signature());
        }
    }

    @Test
    void theSignerIndexIsSigned() {
        byte[] replica2 = sign(RING4.get(2), statement(), 2);
        // Replica 2's signature, claimed as replica 1's, checked with either key.
        ResultReply relabelled = new ResultReply(leaf(), proof(), 1, statement(), replica2);
        assertFalse(relabelled.verify(RING4.get(1).publicKey()));
        assertFalse(relabelled.verify(RING4.get(2).publicKey()));
    }

    @Test
    void aReplyFailsForAnyOtherStatement() {
        ResultStatement st = statement();
        byte[] sig = sign(RING4.get(1), st, 1);
        for (ResultStatement other : List.of(new ResultStatement(st.epoch() + 1, st.color(), st.seqno(), st.resultsRoot()),
                new ResultStatement(st.epoch(), st.color() + 1, st.seqno(), st.resultsRoot()),
                new ResultStatement(st.epoch(), st.color(), st.seqno() + 1, st.resultsRoot()))) {
            assertFalse(new ResultReply(leaf(), proof(), 1, other, sig).verify(RING4.get(1).publicKey()), other.toString());
            // Signed, but over the other statement while the reply carries the right one.
            byte[] otherSig = sign(RING4.get(1), other, 1);
            assertFalse(new ResultReply(leaf(), proof(), 1, st, otherSig).verify(RING4.get(1).publicKey()));
        }
        byte[] otherDomain = RING4.get(1).sign(Domain.UPDATE_SIGNATURE, st.signedBytes(1));
        assertFalse(new ResultReply(leaf(), proof(), 1, st, otherDomain).verify(RING4.get(1).publicKey()));
    }

    @Test
    void theLeafMustBeUnderTheSignedRoot() {
        byte[] sig = sign(RING4.get(0), statement(), 0);
        ResultLeaf changed = new ResultLeaf(ResultFixtures.DIGEST, ResultLeaf.COMMITTED, 0, Fixtures.aguid(), 7,
                ResultFixtures.VGUID, ResultFixtures.TIMESTAMP + 1);
        assertFalse(new ResultReply(changed, proof(), 0, statement(), sig).verify(RING4.get(0).publicKey()));
        // Another leaf of the same batch, with its own valid proof: verifies, and is that leaf.
        ResultLeaf neighbour = ResultFixtures.batch().get(2);
        MerkleProof neighbourProof = MerkleProof.of(ResultFixtures.batchHashes(), 2);
        assertTrue(new ResultReply(neighbour, neighbourProof, 0, statement(), sig).verify(RING4.get(0).publicKey()));
        assertFalse(new ResultReply(leaf(), neighbourProof, 0, statement(), sig).verify(RING4.get(0).publicKey()));
        // A proof of the wrong shape is a false verify, not an exception.
        List<Hash32> extra = new ArrayList<>(proof().siblings());
        extra.add(ResultFixtures.sha("extra"));
        assertFalse(new ResultReply(leaf(), new MerkleProof(3, 5, extra), 0, statement(), sig)
                .verify(RING4.get(0).publicKey()));
        List<Hash32> swapped = new ArrayList<>(proof().siblings());
        java.util.Collections.swap(swapped, 0, 1);
        assertFalse(new ResultReply(leaf(), new MerkleProof(3, 5, swapped), 0, statement(), sig)
                .verify(RING4.get(0).publicKey()));
        // A statement the replica really signed, of a batch the leaf is not in.
        ResultStatement elsewhere = new ResultStatement(3, 2, 17, ResultFixtures.sha("another root"));
        assertFalse(new ResultReply(leaf(), proof(), 0, elsewhere, sign(RING4.get(0), elsewhere, 0))
                .verify(RING4.get(0).publicKey()));
    }

    @Test
    void theConstructorRefusesBadSignersAndSignatures() {
        byte[] sig = sign(RING4.get(0), statement(), 0);
        assertEquals("signer (-1) must be >= 0 and the signature 64 bytes, not 64", assertThrows(
                IllegalArgumentException.class, () -> new ResultReply(leaf(), proof(), -1, statement(), sig)).getMessage());
        assertEquals("signer (0) must be >= 0 and the signature 64 bytes, not 63", assertThrows(IllegalArgumentException.class,
                () -> new ResultReply(leaf(), proof(), 0, statement(), Arrays.copyOf(sig, 63))).getMessage());
        assertThrows(NullPointerException.class, () -> new ResultReply(null, proof(), 0, statement(), sig));
        assertThrows(NullPointerException.class, () -> new ResultReply(leaf(), null, 0, statement(), sig));
        assertThrows(NullPointerException.class, () -> new ResultReply(leaf(), proof(), 0, null, sig));
        ResultReply r = new ResultReply(leaf(), proof(), 0, statement(), sig);
        sig[0] ^= 1;
        r.signature()[1] ^= 1;
        assertTrue(r.verify(RING4.get(0).publicKey()), "the reply keeps its own copy of the signature");
    }

    @Test
    void decodeRefusesMalformedReplies() {
        byte[] good = reply(2).encode();
        assertDecodeRefused("reply format needs 1 bytes but 0 are left", new byte[0]);
        for (int format : new int[] {0, 2}) {
            byte[] b = good.clone();
            b[0] = (byte) format;
            assertDecodeRefused("reply format (" + format + ") must be 1", b);
        }
        byte[] leafFormat = good.clone();
        leafFormat[1] = 9;
        assertDecodeRefused("result leaf format (9) must be 1", leafFormat);
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThrows(IllegalArgumentException.class, () -> ResultReply.decode(cut), "first " + len + " bytes");
        }
        assertDecodeRefused("reply has 1 trailing bytes", Arrays.copyOf(good, good.length + 1));
        int signerAt = 1 + ResultLeaf.ENCODED_BYTES + 12 + 3 * Hash32.LENGTH;
        byte[] hugeSigner = good.clone();
        hugeSigner[signerAt] = (byte) 0x80;
        assertDecodeRefused("reply signer (2147483650) exceeds 2147483647", hugeSigner);
        byte[] shortSig = Arrays.copyOf(good, good.length - 1);
        shortSig[shortSig.length - 64] = 63;
        assertDecodeRefused("the signature 64 bytes, not 63", shortSig);
        byte[] longLength = good.clone();
        longLength[longLength.length - 65] = 65;
        assertDecodeRefused("reply signature length (65) items of at least 1 bytes do not fit in the 64 bytes left",
                longLength);
    }

    /**
     * No flipped byte yields a reply that verifies and says something else: only the proof's
     * index and leaf count may change harmlessly (they place the siblings; see MerkleProofTest).
     */
    @Test
    void aFlippedByteNeverYieldsADifferentValidClaim() {
        ResultReply original = reply(1);
        byte[] good = original.encode();
        int proofAt = 1 + ResultLeaf.ENCODED_BYTES;
        for (int at = 0; at < good.length; at++) {
            for (int mask : new int[] {0x01, 0x80, 0xff}) {
                byte[] b = good.clone();
                b[at] ^= (byte) mask;
                ResultReply r;
                try {
                    r = ResultReply.decode(b);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                for (int k = 0; k < RING4.size(); k++) {
                    if (r.verify(RING4.get(k).publicKey())) {
                        assertTrue(at >= proofAt && at < proofAt + 8, "byte " + at + " ^ " + mask + " verifies");
                        assertEquals(original.leaf(), r.leaf());
                        assertEquals(original.statement(), r.statement());
                        assertEquals(1, r.signer());
                    }
                }
            }
        }
    }

    /** The format, byte for byte; a change breaks every client: add a new format instead. */
    @Test
    void goldenEncoding() {
        ResultReply r = reply(1);
        CanonicalEncoder leafAndProof = new CanonicalEncoder();
        r.leaf().encodeTo(leafAndProof);
        r.proof().encodeTo(leafAndProof);
        String expected = "01" + HEX.formatHex(leafAndProof.toByteArray()) + "00000001"
                + "0000000000000003" + "00000002" + "0000000000000011" + r.statement().resultsRoot().toHex()
                + "00000040" + HEX.formatHex(sign(RING4.get(1), statement(), 1));
        assertEquals(expected, HEX.formatHex(r.encode()));
        assertEquals(GOLDEN, HEX.formatHex(r.encode()));
    }

    private static final String GOLDEN =
            "01" // format
            + "01" // leaf format
            + "bdc15de4b38879918b4e29b0a6cf0e14c93d0e3adb90d3b199abca1965d97648" // update digest
            + "0100" // committed, no rejection
            + "f52fec8ee416a1560ab662b134da5b986d76b6c350c128f2f8578b6436c54ba5" // aguid
            + "0000000000000007" // seq 7
            + "ff8b7452899276ebc1de2087571620abde2a7b66876e3ee401b9440346c72ddc" // vguid
            + "0006608b01611240" // timestamp
            + "00000003" // proof index 3
            + "00000005" // of 5 leaves
            + "00000003" // 3 siblings
            + "b4dcf4e4a61a3da3e7b7864008cc737811cc3890e6cf6fd7dfd53e7e1936a608" // sibling
            + "73b74337cf45f5a52d9434637930fe8cd4ff618245df4345f0e856dce4ebaf07" // sibling
            + "038a380ce576446c1cf0898c1f03fafe3d78f8784df0d21e98da1f8c7a49c54c" // sibling
            + "00000001" // signer 1
            + "0000000000000003" // epoch 3
            + "00000002" // color 2
            + "0000000000000011" // batch 17
            + "ee4d1d63147410da1192750062b201e37c0cae91ba3348e4fd91bcb9155f9747" // results root
            + "00000040" // 64 bytes of signature
            + "3b53e58c9c1c6a3ba9bf4e0845ca37fc447a9c5b77d3a845a8ca2343c1b42f33"
            + "a07d79fe19b220397d10191aed4b0ceadd64625886f4c0ba52339c28fdaa7d09";
}
