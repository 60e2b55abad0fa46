package ostore.crypto;

import static ostore.crypto.ResultFixtures.OUTSIDER;
import static ostore.crypto.ResultFixtures.RING4;
import static ostore.crypto.ResultFixtures.RING7;
import static ostore.crypto.ResultFixtures.keys;
import static ostore.crypto.ResultFixtures.leaf;
import static ostore.crypto.ResultFixtures.proof;
import static ostore.crypto.ResultFixtures.sign;
import static ostore.crypto.ResultFixtures.signatures;
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
 * A certificate is what lets a reader trust a version from one replica: it must hold only with
 * 2f+1 distinct replicas of this ring signing this very statement, and a leaf that is in the
 * signed root. Each refusal names what failed, and the format is pinned byte for byte.
 */
class CertificateTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final List<PublicKey> KEYS4 = keys(RING4);
    private static final List<PublicKey> KEYS7 = keys(RING7);

    /** The certificate's bytes with any signer list, bypassing the constructor's checks. */
    private static byte[] encodeRaw(ResultStatement statement, ResultLeaf leaf, MerkleProof proof,
            List<Certificate.Signature> signatures) {
        CanonicalEncoder e = new CanonicalEncoder().u8(Certificate.FORMAT);
        statement.encodeBody(e);
        leaf.encodeTo(e);
        proof.encodeTo(e);
        e.u32(signatures.size());
        for (Certificate.Signature s : signatures) {
            e.u32(s.signer()).bytes(s.signature());
        }
        return e.toByteArray();
    }

    private static void assertRefused(String message, Certificate c, List<PublicKey> keys, int f) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.check(keys, f));
        assertEquals(message, e.getMessage());
        assertFalse(c.verify(keys, f));
        // The same certificate after a trip through its bytes is refused the same way.
        Certificate decoded = Certificate.decode(c.encode());
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> decoded.check(keys, f)).getMessage());
    }

    private static void assertDecodeRefused(String fragment, byte[] bytes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Certificate.decode(bytes));
        if (!e.getMessage().contains(fragment)) {
            fail("message \"" + e.getMessage() + "\" lacks \"" + fragment + "\"");
        }
    }

    private static Certificate withSignatures(List<Certificate.Signature> signatures) {
        return new Certificate(statement(), leaf(), proof(), signatures);
    }

    private static Certificate.Signature sig(int slot, SigningKey key, ResultStatement statement, int signedAs) {
        return new Certificate.Signature(slot, sign(key, statement, signedAs));
    }

    @Test
    void quorumsOfBothRingSizesVerify() {
        for (int[] signers : new int[][] {{0, 1, 2}, {0, 1, 3}, {0, 2, 3}, {1, 2, 3}, {0, 1, 2, 3}}) {
            Certificate c = ResultFixtures.certificate(RING4, signers);
            c.check(KEYS4, 1);
            assertTrue(c.verify(KEYS4, 1));
            Certificate decoded = Certificate.decode(c.encode());
            decoded.check(KEYS4, 1);
            assertArrayEquals(c.encode(), decoded.encode());
            assertEquals(c.statement(), decoded.statement());
            assertEquals(c.leaf(), decoded.leaf());
            assertEquals(c.proof(), decoded.proof());
        }
        for (int[] signers : new int[][] {{0, 1, 2, 3, 4}, {2, 3, 4, 5, 6}, {0, 2, 4, 5, 6}, {0, 1, 2, 3, 4, 5, 6}}) {
            Certificate c = ResultFixtures.certificate(RING7, signers);
            c.check(KEYS7, 2);
            assertTrue(Certificate.decode(c.encode()).verify(KEYS7, 2));
        }
    }

    @Test
    void twoFSignaturesAreNotEnough() {
        assertRefused("certificate has 2 signatures, needs 2f+1 = 3", ResultFixtures.certificate(RING4, 0, 3), KEYS4, 1);
        assertRefused("certificate has 0 signatures, needs 2f+1 = 3", ResultFixtures.certificate(RING4), KEYS4, 1);
        assertRefused("certificate has 4 signatures, needs 2f+1 = 5",
                ResultFixtures.certificate(RING7, 0, 1, 5, 6), KEYS7, 2);
    }

    @Test
    void aSignerCountsOnce() {
        List<Certificate.Signature> s = signatures(RING4, statement(), 0, 1, 1);
        assertEquals("signers must be strictly increasing, but 1 follows 1",
                assertThrows(IllegalArgumentException.class, () -> withSignatures(s)).getMessage());
        assertDecodeRefused("signers must be strictly increasing, but 1 follows 1", encodeRaw(statement(), leaf(), proof(), s));
        List<Certificate.Signature> f2 = signatures(RING7, statement(), 0, 1, 2, 3, 3);
        assertDecodeRefused("but 3 follows 3", encodeRaw(statement(), leaf(), proof(), f2));
    }

    @Test
    void signersMustBeStrictlyIncreasing() {
        List<Certificate.Signature> s = signatures(RING4, statement(), 2, 0, 1);
        assertEquals("signers must be strictly increasing, but 0 follows 2",
                assertThrows(IllegalArgumentException.class, () -> withSignatures(s)).getMessage());
        assertDecodeRefused("signers must be strictly increasing, but 0 follows 2",
                encodeRaw(statement(), leaf(), proof(), s));
        assertDecodeRefused("but 1 follows 3",
                encodeRaw(statement(), leaf(), proof(), signatures(RING4, statement(), 0, 3, 1)));
    }

    @Test
    void aSignerOutsideTheRingIsRefused() {
        List<Certificate.Signature> s = new ArrayList<>(signatures(RING4, statement(), 0, 1));
        s.add(sig(4, OUTSIDER, statement(), 4));
        assertRefused("signer 4 is not in a ring of 4", withSignatures(s), KEYS4, 1);
        List<Certificate.Signature> far = new ArrayList<>(signatures(RING4, statement(), 0, 1, 2));
        far.add(sig(Integer.MAX_VALUE, OUTSIDER, statement(), Integer.MAX_VALUE));
        assertRefused("signer 2147483647 is not in a ring of 4", withSignatures(far), KEYS4, 1);
        byte[] bytes = encodeRaw(statement(), leaf(), proof(), signatures(RING4, statement(), 0, 1, 2));
        // The last signature's signer field: 4 + 64 bytes from the end.
        byte[] huge = bytes.clone();
        huge[huge.length - 72] = (byte) 0x80;
        assertDecodeRefused("certificate signer (2147483650) exceeds 2147483647", huge);
        assertEquals("signer (-1) must be >= 0 and the signature 64 bytes, not 64", assertThrows(
                IllegalArgumentException.class, () -> new Certificate.Signature(-1, new byte[64])).getMessage());
    }

    @Test
    void aSignatureMustBeTheSignersOwn() {
        List<Certificate.Signature> byOtherKey = List.of(sig(0, RING4.get(0), statement(), 0),
                sig(1, RING4.get(2), statement(), 1), sig(2, RING4.get(2), statement(), 2));
        assertRefused("signature of replica 1 does not verify", withSignatures(byOtherKey), KEYS4, 1);
        // Replica 2's genuine signature, filed under replica 1: the signer index is signed too.
        List<Certificate.Signature> relabelled = List.of(sig(0, RING4.get(0), statement(), 0),
                sig(1, RING4.get(2), statement(), 2), sig(3, RING4.get(3), statement(), 3));
        assertRefused("signature of replica 1 does not verify", withSignatures(relabelled), KEYS4, 1);
        List<Certificate.Signature> outsider = List.of(sig(0, RING4.get(0), statement(), 0),
                sig(1, RING4.get(1), statement(), 1), sig(3, OUTSIDER, statement(), 3));
        assertRefused("signature of replica 3 does not verify", withSignatures(outsider), KEYS4, 1);
        // The first four replicas of another ring.
        assertRefused("signature of replica 0 does not verify", ResultFixtures.certificate(RING7, 0, 1, 2, 3), KEYS4, 1);
        List<Certificate.Signature> otherDomain = new ArrayList<>(signatures(RING4, statement(), 0, 1));
        otherDomain.add(new Certificate.Signature(2, RING4.get(2).sign(Domain.UPDATE_SIGNATURE, statement().signedBytes(2))));
        assertRefused("signature of replica 2 does not verify", withSignatures(otherDomain), KEYS4, 1);
    }

    @Test
    void everySignatureIsCheckedEvenBeyondTheQuorum() {
        List<Certificate.Signature> s = new ArrayList<>(signatures(RING4, statement(), 0, 1, 2));
        byte[] bad = sign(RING4.get(3), statement(), 3);
        bad[0] ^= 1;
        s.add(new Certificate.Signature(3, bad));
        assertRefused("signature of replica 3 does not verify", withSignatures(s), KEYS4, 1);
    }

    @Test
    void aSignatureOverAnotherStatementDoesNotCount() {
        ResultStatement st = statement();
        List<ResultStatement> others = List.of(new ResultStatement(st.epoch() + 1, st.color(), st.seqno(), st.resultsRoot()),
                new ResultStatement(st.epoch(), st.color() + 1, st.seqno(), st.resultsRoot()),
                new ResultStatement(st.epoch(), st.color(), st.seqno() + 1, st.resultsRoot()),
                new ResultStatement(st.epoch(), st.color(), st.seqno(), ResultFixtures.sha("another root")));
        for (ResultStatement other : others) {
            List<Certificate.Signature> s = List.of(sig(0, RING4.get(0), st, 0), sig(2, RING4.get(2), other, 2),
                    sig(3, RING4.get(3), st, 3));
            assertRefused("signature of replica 2 does not verify", withSignatures(s), KEYS4, 1);
        }
        // The statement rewritten after signing: signatures of the original do not carry over.
        for (ResultStatement other : others.subList(0, 3)) {
            Certificate c = new Certificate(other, leaf(), proof(), signatures(RING4, st, 0, 1, 2));
            assertRefused("signature of replica 0 does not verify", c, KEYS4, 1);
        }
    }

    @Test
    void theLeafMustBeInTheSignedRoot() {
        Hash32 root = statement().resultsRoot();
        ResultLeaf other = new ResultLeaf(ResultFixtures.DIGEST, ResultLeaf.COMMITTED, 0, Fixtures.aguid(), 8,
                ResultFixtures.VGUID, ResultFixtures.TIMESTAMP);
        Certificate changedLeaf = new Certificate(statement(), other, proof(), signatures(RING4, statement(), 0, 1, 2));
        assertRefused("the leaf's proof leads to " + proof().rootFrom(other.hash()) + ", not the signed root " + root,
                changedLeaf, KEYS4, 1);
        MerkleProof ofNeighbour = MerkleProof.of(ResultFixtures.batchHashes(), 2);
        Certificate wrongProof = new Certificate(statement(), leaf(), ofNeighbour, signatures(RING4, statement(), 0, 1, 2));
        assertRefused("the leaf's proof leads to " + ofNeighbour.rootFrom(leaf().hash()) + ", not the signed root "
                + root, wrongProof, KEYS4, 1);
        // A statement all replicas signed, about a batch the leaf is not in.
        List<Hash32> otherBatch = List.of(ResultFixtures.sha("x"), ResultFixtures.sha("y"));
        ResultStatement elsewhere = new ResultStatement(3, 2, 17, MerkleProof.root(otherBatch));
        Certificate notInBatch = new Certificate(elsewhere, leaf(), proof(), signatures(RING4, elsewhere, 0, 1, 2, 3));
        assertRefused("the leaf's proof leads to " + root + ", not the signed root " + elsewhere.resultsRoot(),
                notInBatch, KEYS4, 1);
        List<Hash32> extra = new ArrayList<>(proof().siblings());
        extra.add(ResultFixtures.sha("extra"));
        Certificate longProof = new Certificate(statement(), leaf(), new MerkleProof(3, 5, extra),
                signatures(RING4, statement(), 0, 1, 2));
        assertRefused("proof has 4 siblings, but leaf 3 of 5 needs 3", longProof, KEYS4, 1);
    }

    @Test
    void theRingMustHold3fPlus1Keys() {
        Certificate c = ResultFixtures.certificate(RING4, 0, 1, 2);
        assertEquals("a ring of 4 keys cannot tolerate f (2)",
                assertThrows(IllegalArgumentException.class, () -> c.check(KEYS4, 2)).getMessage());
        assertEquals("a ring of 4 keys cannot tolerate f (-1)",
                assertThrows(IllegalArgumentException.class, () -> c.check(KEYS4, -1)).getMessage());
        assertFalse(c.verify(KEYS4, 2));
    }

    @Test
    void decodeRefusesMalformedCertificates() {
        byte[] good = ResultFixtures.certificate(RING4, 0, 1, 2).encode();
        assertDecodeRefused("certificate format needs 1 bytes but 0 are left", new byte[0]);
        for (int format : new int[] {0, 2, 0xff}) {
            byte[] b = good.clone();
            b[0] = (byte) format;
            assertDecodeRefused("certificate format (" + format + ") must be 1", b);
        }
        byte[] leafFormat = good.clone();
        leafFormat[1 + ResultStatement.BODY_BYTES] = 2;
        assertDecodeRefused("result leaf format (2) must be 1", leafFormat);
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThrows(IllegalArgumentException.class, () -> Certificate.decode(cut), "first " + len + " bytes");
        }
        assertDecodeRefused("certificate signatures (3) items of at least 72 bytes do not fit in the 148 bytes left",
                Arrays.copyOf(good, good.length - 68));
        assertDecodeRefused("certificate has 1 trailing bytes", Arrays.copyOf(good, good.length + 1));
        int countAt = good.length - 3 * 72 - 4;
        byte[] moreSignatures = good.clone();
        moreSignatures[countAt + 3] = 4;
        assertDecodeRefused("certificate signatures (4) items of at least 72 bytes do not fit in the 216 bytes left",
                moreSignatures);
        byte[] hugeCount = good.clone();
        Arrays.fill(hugeCount, countAt, countAt + 4, (byte) 0xff);
        assertDecodeRefused("certificate signatures (4294967295)", hugeCount);
        // The last signature's length field says 63: the signature is refused before the trailing byte.
        byte[] shortSig = good.clone();
        shortSig[shortSig.length - 65] = 63;
        assertDecodeRefused("the signature 64 bytes, not 63", shortSig);
    }

    /**
     * No single flipped byte yields another certificate that checks, except in the proof's index
     * and leaf count where the flip keeps every sibling on its side: those only say where the
     * siblings go (see {@link MerkleProofTest}), and the leaf, statement and signatures are unchanged.
     */
    @Test
    void aFlippedByteNeverYieldsADifferentValidClaim() {
        Certificate original = ResultFixtures.certificate(RING4, 0, 1, 2);
        byte[] good = original.encode();
        int proofAt = 1 + ResultStatement.BODY_BYTES + ResultLeaf.ENCODED_BYTES;
        for (int at = 0; at < good.length; at++) {
            for (int mask : new int[] {0x01, 0x80, 0xff}) {
                byte[] b = good.clone();
                b[at] ^= (byte) mask;
                Certificate c;
                try {
                    c = Certificate.decode(b);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (!c.verify(KEYS4, 1)) {
                    continue;
                }
                assertTrue(at >= proofAt && at < proofAt + 8, "byte " + at + " ^ " + mask + " still verifies");
                assertEquals(original.statement(), c.statement());
                assertEquals(original.leaf(), c.leaf());
                assertEquals(original.proof().siblings(), c.proof().siblings());
            }
        }
    }

    @Test
    void signaturesAreCopiedInAndOut() {
        byte[] raw = sign(RING4.get(0), statement(), 0);
        Certificate.Signature s = new Certificate.Signature(0, raw);
        raw[0] ^= 1;
        s.signature()[1] ^= 1;
        assertTrue(statement().verify(0, KEYS4.get(0), s.signature()));
    }

    /**
     * The format, byte for byte. If this fails, certificates already stored with versions would no
     * longer decode: revert, or add a new format number.
     */
    @Test
    void goldenEncoding() {
        Certificate c = ResultFixtures.certificate(RING4, 0, 2, 3);
        CanonicalEncoder leafAndProof = new CanonicalEncoder();
        c.leaf().encodeTo(leafAndProof);
        c.proof().encodeTo(leafAndProof);
        String expected = "01"
                + "0000000000000003" + "00000002" + "0000000000000011" + c.statement().resultsRoot().toHex()
                + HEX.formatHex(leafAndProof.toByteArray())
                + "00000003"
                + "00000000" + "00000040" + HEX.formatHex(sign(RING4.get(0), statement(), 0))
                + "00000002" + "00000040" + HEX.formatHex(sign(RING4.get(2), statement(), 2))
                + "00000003" + "00000040" + HEX.formatHex(sign(RING4.get(3), statement(), 3));
        assertEquals(expected, HEX.formatHex(c.encode()));
        assertEquals(GOLDEN, HEX.formatHex(c.encode()));
    }

    private static final String GOLDEN =
            "01" // format
            + "0000000000000003" // epoch 3
            + "00000002" // color 2
            + "0000000000000011" // batch 17
            + "ee4d1d63147410da1192750062b201e37c0cae91ba3348e4fd91bcb9155f9747" // results root
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
            + "00000003" // 3 signatures
            + "0000000000000040" // replica 0, 64 bytes
            + "5fbeb66f0a885272c0a507299ae3dd7093cc3ed007494dfe1425e8e46df6a5fd" // signature
            + "2339306f0dcae8bd743d4620028215f2c76ba7b8df69118fccc3d2f94cdbc90b"
            + "0000000200000040" // replica 2, 64 bytes
            + "10564138ffd42865021d6acd935ac284f71a5ef82e05538d3a1b9a2d7372eaec" // signature
            + "93ef9dc09cc192950457ce7ff4fa88ccd6706480c5c265228f8c19ea3ade4103"
            + "0000000300000040" // replica 3, 64 bytes
            + "de69a65cfc80b1e0aa97a108f6db7402d792013f057d51e68f078bdcd402a3c3" // signature
            + "eeb491b6a61ad16c3972562bcb88c0557a199f8cd406dee70c3d4a4add5f9003";
}
