package ostore.crypto;

import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** An Ed25519 public key (32 raw bytes, RFC 8032 encoding). */
public final class PublicKey implements Comparable<PublicKey> {
    public static final int LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    /**
     * Keys decoded before, direct-mapped by a hash of their bytes. A store decodes the same few
     * writers' and replicas' keys from every record it reads, and each decode is a point
     * decompression (a field exponentiation, tens of microseconds). Racy by design: a slot holds
     * an immutable key or null, and a lost write only costs a later decode.
     */
    private static final PublicKey[] DECODED = new PublicKey[1024];

    private final byte[] raw;
    private final Ed25519PublicKeyParameters params;

    private PublicKey(byte[] raw, Ed25519PublicKeyParameters params) {
        this.raw = raw;
        this.params = params;
    }

    /**
     * Parses a raw key. BouncyCastle decodes the point here, so 32 bytes that are not a valid
     * Ed25519 point are refused now rather than failing every later verification.
     */
    public static PublicKey of(byte[] raw) {
        if (raw == null || raw.length != LENGTH) {
            throw new IllegalArgumentException(
                    "public key length (" + (raw == null ? "null" : raw.length) + ") must be " + LENGTH);
        }
        int slot = Arrays.hashCode(raw) & (DECODED.length - 1);
        PublicKey known = DECODED[slot];
        if (known != null && Arrays.equals(known.raw, raw)) {
            return known;
        }
        byte[] copy = raw.clone();
        try {
            PublicKey key = new PublicKey(copy, new Ed25519PublicKeyParameters(copy, 0));
            DECODED[slot] = key;
            return key;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "public key (" + HexFormat.of().formatHex(copy) + ") is not a valid Ed25519 point", e);
        }
    }

    public static PublicKey fromHex(String hex) {
        if (hex == null || hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("public key hex (" + hex + ") must be " + 2 * LENGTH + " hex digits");
        }
        byte[] raw;
        try {
            raw = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("public key hex (" + hex + ") is not hexadecimal", e);
        }
        return of(raw);
    }

    /** Verifies an Ed25519 signature over {@code domain.prefix() || message}. */
    public boolean verify(Domain domain, byte[] message, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, params);
        byte[] prefix = domain.prefixUnsafe();
        verifier.update(prefix, 0, prefix.length);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    public byte[] toBytes() {
        return raw.clone();
    }

    public String toHex() {
        return HexFormat.of().formatHex(raw);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKey k && Arrays.equals(raw, k.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public int compareTo(PublicKey o) {
        return Arrays.compareUnsigned(raw, o.raw);
    }

    @Override
    public String toString() {
        return "ed25519:" + toHex();
    }
}
