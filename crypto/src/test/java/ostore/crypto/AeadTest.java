package ostore.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

class AeadTest {
    private static final byte[] KEY = Fixtures.seeded(0x60).seed();
    private static final byte[] AD = Fixtures.ascii("ad");
    private static final byte[] PLAIN = Fixtures.ascii("hello");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void sealedFormatIsPinned() {
        byte[] sealed = Aead.seal(KEY, PLAIN, AD, Fixtures.fixedRandom(0xa5));
        assertEquals("01" + "a5".repeat(12) + "b84903746d" + "49aff7c366dc240b0048960975aac2ab",
                HexFormat.of().formatHex(sealed));
    }

    @Test
    void roundTripsAnySizeIncludingEmpty() throws AeadException {
        for (int size : new int[] {0, 1, 15, 16, 17, 4096, 65_536}) {
            byte[] plain = new byte[size];
            RANDOM.nextBytes(plain);
            byte[] sealed = Aead.seal(KEY, plain, AD, RANDOM);
            assertEquals(size + Aead.OVERHEAD, sealed.length);
            assertArrayEquals(plain, Aead.open(KEY, sealed, AD), "size " + size);
        }
    }

    @Test
    void nonceIsFreshEachTime() {
        byte[] a = Aead.seal(KEY, PLAIN, AD, RANDOM);
        byte[] b = Aead.seal(KEY, PLAIN, AD, RANDOM);
        assertFalse(Arrays.equals(Arrays.copyOfRange(a, 1, 13), Arrays.copyOfRange(b, 1, 13)));
    }

    /** BouncyCastle's GCM is independent of the JDK's: it must agree on the bytes and the AD rule. */
    @Test
    void independentGcmOpensItWithVersionByteAsAdditionalData() throws InvalidCipherTextException {
        byte[] sealed = Aead.seal(KEY, PLAIN, AD, RANDOM);
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        byte[] ad = new byte[1 + AD.length];
        ad[0] = 1;
        System.arraycopy(AD, 0, ad, 1, AD.length);
        gcm.init(false, new AEADParameters(new KeyParameter(KEY), 128, Arrays.copyOfRange(sealed, 1, 13), ad));
        byte[] out = new byte[gcm.getOutputSize(sealed.length - 13)];
        int n = gcm.processBytes(sealed, 13, sealed.length - 13, out, 0);
        n += gcm.doFinal(out, n);
        assertArrayEquals(PLAIN, Arrays.copyOf(out, n));
    }

    @Test
    void everyAlteredByteIsCaught() {
        byte[] sealed = Aead.seal(KEY, PLAIN, AD, RANDOM);
        for (int i = 0; i < sealed.length; i++) {
            byte[] bad = sealed.clone();
            bad[i] ^= 0x01;
            AeadException.Reason expected = i == 0 ? AeadException.Reason.UNKNOWN_VERSION : AeadException.Reason.BAD_TAG;
            assertFailure(expected, () -> Aead.open(KEY, bad, AD), "byte " + i);
        }
    }

    @Test
    void wrongKeyOrAssociatedDataFailsTheTag() {
        byte[] sealed = Aead.seal(KEY, PLAIN, AD, RANDOM);
        byte[] otherKey = Aead.newKey(RANDOM);
        assertFailure(AeadException.Reason.BAD_TAG, () -> Aead.open(otherKey, sealed, AD), "other key");
        assertFailure(AeadException.Reason.BAD_TAG, () -> Aead.open(KEY, sealed, Fixtures.ascii("ae")), "other ad");
        assertFailure(AeadException.Reason.BAD_TAG, () -> Aead.open(KEY, sealed, new byte[0]), "no ad");
    }

    @Test
    void truncationIsCaught() {
        byte[] sealed = Aead.seal(KEY, PLAIN, AD, RANDOM);
        for (int length = 0; length < sealed.length; length++) {
            byte[] cut = Arrays.copyOf(sealed, length);
            AeadException.Reason expected = length < Aead.OVERHEAD
                    ? AeadException.Reason.TOO_SHORT : AeadException.Reason.BAD_TAG;
            assertFailure(expected, () -> Aead.open(KEY, cut, AD), "length " + length);
        }
    }

    @Test
    void failuresNameTheBadValue() {
        byte[] sealed = Aead.seal(KEY, PLAIN, AD, RANDOM);
        assertTrue(failure(() -> Aead.open(new byte[16], sealed, AD)).getMessage().contains("key length (16)"));
        assertTrue(failure(() -> Aead.open(null, sealed, AD)).getMessage().contains("key length (null)"));
        assertTrue(failure(() -> Aead.open(KEY, new byte[28], AD)).getMessage().contains("sealed length (28)"));
        byte[] v2 = sealed.clone();
        v2[0] = 2;
        assertTrue(failure(() -> Aead.open(KEY, v2, AD)).getMessage().contains("version (2)"));
        var seal = assertThrows(IllegalArgumentException.class, () -> Aead.seal(new byte[31], PLAIN, AD, RANDOM));
        assertTrue(seal.getMessage().contains("key length (31)"), seal.getMessage());
    }

    @Test
    void newKeysAreFullLengthAndDistinct() {
        byte[] a = Aead.newKey(RANDOM);
        assertEquals(Aead.KEY_LENGTH, a.length);
        assertFalse(Arrays.equals(a, Aead.newKey(RANDOM)));
    }

    private interface Opening {
        byte[] open() throws AeadException;
    }

    private static AeadException failure(Opening call) {
        return assertThrows(AeadException.class, call::open);
    }

    private static void assertFailure(AeadException.Reason reason, Opening call, String what) {
        assertEquals(reason, assertThrows(AeadException.class, call::open, what).reason(), what);
    }
}
