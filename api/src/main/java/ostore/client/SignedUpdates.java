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
 *   <li>update digest = {@code SHA-256("ostore/update/v1" 0x00 || body)} ({@link Domain#UPDATE});
 *       version roots and history entries name the update by this digest.
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
        byte[] signature = UpdateSignature.sign(key, digest(body));
        return SignedUpdate.newBuilder()
                .setBody(body)
                .setPublicKey(Protos.toByteString(key.publicKey()))
                .setSignature(ByteString.copyFrom(signature))
                .build();
    }

    public static Hash32 digest(ByteString body) {
        Objects.requireNonNull(body, "body");
        return UpdateSignature.digest(body.toByteArray());
    }

    /** True if the signature is the named key's over the body; false for a malformed key or signature. */
    public static boolean verify(SignedUpdate signed) {
        Objects.requireNonNull(signed, "signed");
        if (signed.getPublicKey().size() != PublicKey.LENGTH) {
            return false;
        }
        PublicKey key = PublicKey.of(signed.getPublicKey().toByteArray());
        return UpdateSignature.verify(key, digest(signed.getBody()), signed.getSignature().toByteArray());
    }
}
