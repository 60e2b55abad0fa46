package ostore.client;

import com.google.protobuf.ByteString;
import java.util.Objects;
import ostore.api.Protos;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.Update;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.SigningKey;
import ostore.crypto.UpdateSignature;

/**
 * The signing rule for updates, in one place for client and server.
 *
 * <ul>
 *   <li>{@code body} = the {@link Update} serialized once by protobuf's standard serializer
 *       ({@link Update#toByteString()}). Protobuf serialization is not canonical, so nobody may
 *       re-serialize a body: the bytes signed are the bytes sent, stored, ordered and hashed.
 *   <li>update digest = {@code SHA-256("ostore/update/v2" 0x00 || writer public key || body)}
 *       ({@link UpdateSignature#digest}); version roots, history entries and the ring name the
 *       update by this digest, so the same body signed by another key is another update.
 *   <li>{@code signature} = Ed25519 (RFC 8032) by the writer's key over
 *       {@code "ostore/update-signature/v2" 0x00 || digest} ({@link UpdateSignature}), so checking
 *       it costs the same for any size of update.
 * </ul>
 */
public final class SignedUpdates {
    private SignedUpdates() {}

    public static SignedUpdate sign(Update update, SigningKey key) {
        Objects.requireNonNull(update, "update");
        Objects.requireNonNull(key, "key");
        ByteString body = update.toByteString();
        byte[] signature = UpdateSignature.sign(key, UpdateSignature.digest(key.publicKey(), body.toByteArray()));
        return SignedUpdate.newBuilder()
                .setBody(body)
                .setPublicKey(Protos.toByteString(key.publicKey()))
                .setSignature(ByteString.copyFrom(signature))
                .build();
    }

    /**
     * The update digest of {@code signed}: its writer's key and body.
     *
     * @throws IllegalArgumentException if the public key is not 32 bytes
     */
    public static Hash32 digest(SignedUpdate signed) {
        Objects.requireNonNull(signed, "signed");
        if (signed.getPublicKey().size() != PublicKey.LENGTH) {
            throw new IllegalArgumentException("SignedUpdate.public_key has " + signed.getPublicKey().size()
                    + " bytes, not " + PublicKey.LENGTH);
        }
        return UpdateSignature.digest(PublicKey.of(signed.getPublicKey().toByteArray()), signed.getBody().toByteArray());
    }

    /** True if the signature is the named key's over the update's digest; false for a malformed key or signature. */
    public static boolean verify(SignedUpdate signed) {
        Objects.requireNonNull(signed, "signed");
        if (signed.getPublicKey().size() != PublicKey.LENGTH) {
            return false;
        }
        PublicKey key = PublicKey.of(signed.getPublicKey().toByteArray());
        return UpdateSignature.verify(key, UpdateSignature.digest(key, signed.getBody().toByteArray()),
                signed.getSignature().toByteArray());
    }
}
