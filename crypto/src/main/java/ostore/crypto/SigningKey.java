package ostore.crypto;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** An Ed25519 private key and its public key. BouncyCastle's signer is about 10x the JDK's. */
public final class SigningKey {
    public static final int SEED_LENGTH = 32;

    private final Ed25519PrivateKeyParameters params;
    private final PublicKey publicKey;

    private SigningKey(Ed25519PrivateKeyParameters params) {
        this.params = params;
        this.publicKey = PublicKey.of(params.generatePublicKey().getEncoded());
    }

    public static SigningKey generate(SecureRandom random) {
        return new SigningKey(new Ed25519PrivateKeyParameters(random));
    }

    /** Rebuilds a key from its 32-byte seed (the RFC 8032 private key). */
    public static SigningKey fromSeed(byte[] seed) {
        if (seed == null || seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException(
                    "private key seed length (" + (seed == null ? "null" : seed.length) + ") must be " + SEED_LENGTH);
        }
        return new SigningKey(new Ed25519PrivateKeyParameters(seed, 0));
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The 32-byte seed; keep it secret. */
    public byte[] seed() {
        return params.getEncoded();
    }

    /** Signs {@code domain.prefix() || message}. Ed25519 is deterministic: same input, same signature. */
    public byte[] sign(Domain domain, byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, params);
        byte[] prefix = domain.prefixUnsafe();
        signer.update(prefix, 0, prefix.length);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    @Override
    public String toString() {
        return "SigningKey(" + publicKey + ")";
    }
}
