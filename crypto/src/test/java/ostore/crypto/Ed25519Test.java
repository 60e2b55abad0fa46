package ostore.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Ed25519Test {
    /** DER SubjectPublicKeyInfo header for an Ed25519 key (RFC 8410), followed by the 32 raw bytes. */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private static final SigningKey KEY = Fixtures.OWNER;
    private static final byte[] MESSAGE = Fixtures.ascii("transfer 10 blocks to photos/2026");

    @Test
    void signatureRoundTrips() {
        byte[] sig = KEY.sign(Domain.UPDATE_SIGNATURE, MESSAGE);
        assertEquals(PublicKey.SIGNATURE_LENGTH, sig.length);
        assertTrue(KEY.publicKey().verify(Domain.UPDATE_SIGNATURE, MESSAGE, sig));
    }

    @Test
    void signingIsDeterministicAndPinned() {
        byte[] sig = KEY.sign(Domain.UPDATE_SIGNATURE, Fixtures.ascii("hello"));
        assertEquals("86a6286dcf1bf023a7e98d48e3c4827d5449fb4bfb67b1067866c40199d40aa6"
                + "a29281390b7be96d1565048f75e2c742abb07e7016b410997283dbc2486a3601", HexFormat.of().formatHex(sig));
        assertArrayEquals(sig, KEY.sign(Domain.UPDATE_SIGNATURE, Fixtures.ascii("hello")));
    }

    @Test
    void everyFlippedMessageBitFails() {
        byte[] sig = KEY.sign(Domain.UPDATE_SIGNATURE, MESSAGE);
        for (int bit = 0; bit < 8 * MESSAGE.length; bit++) {
            assertFalse(KEY.publicKey().verify(Domain.UPDATE_SIGNATURE, flip(MESSAGE, bit), sig), "bit " + bit);
        }
    }

    @Test
    void everyFlippedSignatureBitFails() {
        byte[] sig = KEY.sign(Domain.UPDATE_SIGNATURE, MESSAGE);
        for (int bit = 0; bit < 8 * sig.length; bit++) {
            assertFalse(KEY.publicKey().verify(Domain.UPDATE_SIGNATURE, MESSAGE, flip(sig, bit)), "bit " + bit);
        }
    }

    @Test
    void everyFlippedKeyBitIsRefusedOrFails() {
        byte[] sig = KEY.sign(Domain.UPDATE_SIGNATURE, MESSAGE);
        byte[] raw = KEY.publicKey().toBytes();
        int refused = 0;
        for (int bit = 0; bit < 8 * raw.length; bit++) {
            PublicKey other;
            try {
                other = PublicKey.of(flip(raw, bit));
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().contains("is not a valid Ed25519 point"), e.getMessage());
                refused++;
                continue;
            }
            assertFalse(other.verify(Domain.UPDATE_SIGNATURE, MESSAGE, sig), "bit " + bit);
        }
        assertTrue(refused < 8 * raw.length, "some flipped keys must still be points, so verify is exercised");
    }

    @Test
    void signatureUnderAnotherDomainFails() {
        byte[] sig = KEY.sign(Domain.UPDATE_SIGNATURE, MESSAGE);
        for (Domain d : Domain.values()) {
            assertEquals(d == Domain.UPDATE_SIGNATURE, KEY.publicKey().verify(d, MESSAGE, sig), d.name());
        }
    }

    @Test
    void anotherKeysSignatureFails() {
        byte[] sig = Fixtures.WRITER_A.sign(Domain.UPDATE_SIGNATURE, MESSAGE);
        assertFalse(KEY.publicKey().verify(Domain.UPDATE_SIGNATURE, MESSAGE, sig));
    }

    @Test
    void signatureOfWrongLengthIsFalseNotAnException() {
        byte[] sig = KEY.sign(Domain.UPDATE_SIGNATURE, MESSAGE);
        PublicKey pk = KEY.publicKey();
        assertFalse(pk.verify(Domain.UPDATE_SIGNATURE, MESSAGE, null));
        assertFalse(pk.verify(Domain.UPDATE_SIGNATURE, MESSAGE, new byte[0]));
        assertFalse(pk.verify(Domain.UPDATE_SIGNATURE, MESSAGE, java.util.Arrays.copyOf(sig, 63)));
        assertFalse(pk.verify(Domain.UPDATE_SIGNATURE, MESSAGE, java.util.Arrays.copyOf(sig, 65)));
    }

    @Test
    void jdkProviderProducesTheSameSignatureAndAcceptsOurs() throws Exception {
        byte[] sig = KEY.sign(Domain.UPDATE_SIGNATURE, MESSAGE);
        byte[] signed = concat(Domain.UPDATE_SIGNATURE.prefix(), MESSAGE);

        KeyFactory factory = KeyFactory.getInstance("Ed25519");
        PrivateKey jdkPrivate = factory.generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, KEY.seed()));
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(jdkPrivate);
        signer.update(signed);
        assertArrayEquals(signer.sign(), sig, "RFC 8032 signatures are deterministic");

        java.security.PublicKey jdkPublic = factory.generatePublic(
                new X509EncodedKeySpec(concat(SPKI_PREFIX, KEY.publicKey().toBytes())));
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(jdkPublic);
        verifier.update(signed);
        assertTrue(verifier.verify(sig));
    }

    @Test
    void generatedKeysDifferAndRebuildFromTheirSeed() {
        SecureRandom random = new SecureRandom();
        SigningKey a = SigningKey.generate(random);
        SigningKey b = SigningKey.generate(random);
        assertNotEquals(a.publicKey(), b.publicKey());
        assertEquals(a.publicKey(), SigningKey.fromSeed(a.seed()).publicKey());
        assertFalse(a.toString().contains(HexFormat.of().formatHex(a.seed())), "toString must not leak the seed");
    }

    @Test
    void badKeyMaterialIsRefusedWithItsLength() {
        var seed = assertThrows(IllegalArgumentException.class, () -> SigningKey.fromSeed(new byte[31]));
        assertTrue(seed.getMessage().contains("(31)"), seed.getMessage());
        var pk = assertThrows(IllegalArgumentException.class, () -> PublicKey.of(new byte[33]));
        assertTrue(pk.getMessage().contains("(33)"), pk.getMessage());
        var hex = assertThrows(IllegalArgumentException.class, () -> PublicKey.fromHex("zz".repeat(32)));
        assertTrue(hex.getMessage().contains("not hexadecimal"), hex.getMessage());
    }

    @Test
    void aKeyDecodedAgainIsTheSameKeyAndOwnsItsBytes() {
        byte[] raw = KEY.publicKey().toBytes();
        PublicKey first = PublicKey.of(raw);
        byte[] signature = KEY.sign(Domain.UPDATE, new byte[] {1, 2, 3});
        raw[0] ^= 1; // the caller's array changes after the key was built, cached or not
        assertArrayEquals(KEY.publicKey().toBytes(), first.toBytes());
        assertTrue(first.verify(Domain.UPDATE, new byte[] {1, 2, 3}, signature));
        raw[0] ^= 1;
        PublicKey again = PublicKey.of(raw);
        assertEquals(first, again);
        assertTrue(again.verify(Domain.UPDATE, new byte[] {1, 2, 3}, signature));
        // Many other keys through the same slots, then the first again: still right.
        SecureRandom random = new SecureRandom(new byte[] {7});
        for (int i = 0; i < 3000; i++) {
            PublicKey.of(SigningKey.generate(random).publicKey().toBytes());
        }
        assertTrue(PublicKey.of(raw).verify(Domain.UPDATE, new byte[] {1, 2, 3}, signature));
        assertNotEquals(first, PublicKey.of(SigningKey.generate(random).publicKey().toBytes()));
    }

    @Test
    void publicKeyHexRoundTrips() {
        PublicKey pk = KEY.publicKey();
        assertEquals(pk, PublicKey.fromHex(pk.toHex()));
        assertEquals(pk, PublicKey.fromHex(pk.toHex().toUpperCase(java.util.Locale.ROOT)));
        assertEquals("ed25519:" + pk.toHex(), pk.toString());
    }

    private static byte[] flip(byte[] in, int bit) {
        byte[] out = in.clone();
        out[bit / 8] ^= (byte) (1 << (bit % 8));
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
