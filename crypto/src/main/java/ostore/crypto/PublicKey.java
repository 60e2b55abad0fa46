package ostore.crypto;

import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** An Ed25519 public key (32 raw bytes, RFC 8032 encoding). */
public final class PublicKey implements Comparable<PublicKey> {
    public static final int LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    private final byte[] raw;
    private final Ed25519PublicKeyParameters params;

    private PublicKey(byte[] raw) {
        this.raw = raw;
        this.params = new Ed25519PublicKeyParameters(raw, 0);
    }

    /**
     * Parses a raw key. BouncyCastle decodes lazily, so a byte string that is not a curve point is
     * accepted here and every signature under it fails to verify.
     */
    public static PublicKey of(byte[] raw) {
        if (raw == null || raw.length != LENGTH) {
            throw new IllegalArgumentException(
                    "public key length (" + (raw == null ? "null" : raw.length) + ") must be " + LENGTH);
        }
        return new PublicKey(raw.clone());
    }

    public static PublicKey fromHex(String hex) {
        try {
            return of(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("public key hex (" + hex + ") is not 64 hex digits", e);
        }
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
