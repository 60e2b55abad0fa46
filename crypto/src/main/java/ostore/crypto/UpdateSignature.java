package ostore.crypto;

import java.util.Objects;

/**
 * How a client signs an update, in one place for the SDK and the server. The update digest is
 * {@code SHA-256("ostore/update/v2" 0x00 || writer public key || body)}
 * ({@link Domain#UPDATE_BY_WRITER}): the writer is part of the update's identity, because the body
 * does not name it and the same body signed by two keys must not be taken for one update (replicas
 * key payloads by digest; a Byzantine peer answering a fetch with the body signed by another key
 * would otherwise make a correct replica execute it as another writer). The signature is
 * Ed25519 by the writer's key over {@code "ostore/update-signature/v2" 0x00 || digest}
 * ({@link Domain#UPDATE_DIGEST_SIGNATURE}). Signing the 32-byte digest rather than the body keeps
 * the cost of a signature check independent of the update's size: Ed25519 hashes its whole message
 * with SHA-512 (twice to sign), which for a 2 MiB update on every replica cost more CPU than
 * everything else together, while the digest is computed once per update anyway (the ring orders
 * and names updates by it) with the JDK's accelerated SHA-256.
 */
public final class UpdateSignature {
    private UpdateSignature() {}

    /** The digest that names an update everywhere (version roots, history, the ring): writer and body. */
    public static Hash32 digest(PublicKey writer, byte[] body) {
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(body, "body");
        return Hashing.hash(Domain.UPDATE_BY_WRITER, writer.toBytes(), body);
    }

    /** The writer's signature on the update whose body has {@code digest}. */
    public static byte[] sign(SigningKey key, Hash32 digest) {
        Objects.requireNonNull(key, "key");
        return key.sign(Domain.UPDATE_DIGEST_SIGNATURE, digest.toBytes());
    }

    /** True if {@code signature} is {@code writer}'s on the update with {@code digest}; false if malformed. */
    public static boolean verify(PublicKey writer, Hash32 digest, byte[] signature) {
        Objects.requireNonNull(writer, "writer");
        return writer.verify(Domain.UPDATE_DIGEST_SIGNATURE, digest.toBytes(), signature);
    }
}
