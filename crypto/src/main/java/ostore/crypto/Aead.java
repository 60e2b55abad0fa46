package ostore.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for client-side block encryption. Sealed format, version 1:
 *
 * <pre>0x01 || nonce (12 bytes, random) || ciphertext (as long as the plaintext) || tag (16 bytes)</pre>
 *
 * <p>The GCM additional data is {@code 0x01 || associatedData}: the version byte is authenticated
 * too, so a later format cannot be passed off as this one by rewriting the first byte.
 *
 * <p>Nonces are random, so one key should seal fewer than 2^32 messages (NIST SP 800-38D, 8.3);
 * use a key per object or per writer rather than one key for everything.
 *
 * <p>This uses the JDK's provider, not BouncyCastle: HotSpot compiles its AES and GHASH to AES-NI
 * and carry-less multiply instructions, several times the speed of BouncyCastle's pure-Java GCM,
 * and blocks are encrypted on every client write and read.
 */
public final class Aead {
    public static final int KEY_LENGTH = 32;
    public static final int NONCE_LENGTH = 12;
    public static final int TAG_LENGTH = 16;
    /** The first byte of every sealed message in this format. */
    public static final int FORMAT_VERSION = 1;
    /** Bytes a sealed message has beyond its plaintext. */
    public static final int OVERHEAD = 1 + NONCE_LENGTH + TAG_LENGTH;

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private Aead() {}

    /** A fresh random 256-bit key. */
    public static byte[] newKey(SecureRandom random) {
        byte[] key = new byte[KEY_LENGTH];
        random.nextBytes(key);
        return key;
    }

    /** Encrypts and authenticates {@code plaintext}, binding {@code associatedData} (not stored). */
    public static byte[] seal(byte[] key32, byte[] plaintext, byte[] associatedData, SecureRandom random) {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(associatedData, "associatedData");
        Objects.requireNonNull(random, "random");
        if (key32 == null || key32.length != KEY_LENGTH) {
            throw new IllegalArgumentException(keyLengthMessage(key32));
        }
        if (plaintext.length > Integer.MAX_VALUE - OVERHEAD) {
            throw new IllegalArgumentException(
                    "plaintext length (" + plaintext.length + ") must be <= " + (Integer.MAX_VALUE - OVERHEAD));
        }
        byte[] sealed = new byte[OVERHEAD + plaintext.length];
        sealed[0] = FORMAT_VERSION;
        byte[] nonce = new byte[NONCE_LENGTH];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, sealed, 1, NONCE_LENGTH);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, key32, nonce, associatedData);
            int written = cipher.doFinal(plaintext, 0, plaintext.length, sealed, 1 + NONCE_LENGTH);
            assert written == plaintext.length + TAG_LENGTH : written;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed in the JDK provider", e);
        }
        return sealed;
    }

    /**
     * Checks and decrypts a message made by {@link #seal}. Fails, without returning any plaintext,
     * if the key or associated data differ from sealing or any byte was changed.
     */
    public static byte[] open(byte[] key32, byte[] sealed, byte[] associatedData) throws AeadException {
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(associatedData, "associatedData");
        if (key32 == null || key32.length != KEY_LENGTH) {
            throw new AeadException(AeadException.Reason.BAD_KEY_LENGTH, keyLengthMessage(key32));
        }
        if (sealed.length < OVERHEAD) {
            throw new AeadException(AeadException.Reason.TOO_SHORT,
                    "sealed length (" + sealed.length + ") must be >= " + OVERHEAD
                            + " (version, nonce and tag)");
        }
        if (sealed[0] != FORMAT_VERSION) {
            throw new AeadException(AeadException.Reason.UNKNOWN_VERSION,
                    "sealed format version (" + (sealed[0] & 0xff) + ") must be " + FORMAT_VERSION);
        }
        byte[] nonce = new byte[NONCE_LENGTH];
        System.arraycopy(sealed, 1, nonce, 0, NONCE_LENGTH);
        int offset = 1 + NONCE_LENGTH;
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key32, nonce, associatedData);
            return cipher.doFinal(sealed, offset, sealed.length - offset);
        } catch (AEADBadTagException e) {
            throw new AeadException(AeadException.Reason.BAD_TAG,
                    "authentication tag does not match: wrong key, wrong associated data, or altered bytes", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed in the JDK provider", e);
        }
    }

    private static Cipher cipher(int mode, byte[] key32, byte[] nonce, byte[] associatedData)
            throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, new SecretKeySpec(key32, "AES"), new GCMParameterSpec(8 * TAG_LENGTH, nonce));
        cipher.updateAAD(new byte[] {FORMAT_VERSION});
        cipher.updateAAD(associatedData);
        return cipher;
    }

    private static String keyLengthMessage(byte[] key) {
        return "key length (" + (key == null ? "null" : key.length) + ") must be " + KEY_LENGTH;
    }
}
