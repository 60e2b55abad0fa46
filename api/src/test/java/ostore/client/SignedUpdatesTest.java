package ostore.client;

import static ostore.client.Fixtures.AGUID;
import static ostore.client.Fixtures.OTHER;
import static ostore.client.Fixtures.OWNER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import ostore.api.Protos;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.Update;
import ostore.crypto.Aguid;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;

class SignedUpdatesTest {
    private static Update update() {
        return Updates.forObject(AGUID).nonce(9).when(Predicates.always()).then(Actions.append(new byte[] {5})).build();
    }

    @Test
    void signatureCoversTheBodysDigestUnderTheUpdateSignatureDomain() {
        SignedUpdate s = SignedUpdates.sign(update(), OWNER);
        byte[] body = s.getBody().toByteArray();
        assertEquals(update().toByteString(), s.getBody());
        assertEquals(Protos.toByteString(OWNER.publicKey()), s.getPublicKey());
        // Format 2: Ed25519 over "ostore/update-signature/v2" 0x00 || SHA-256("ostore/update/v2" 0x00 || key || body).
        byte[] digest = Hashing.hash(Domain.UPDATE_BY_WRITER, OWNER.publicKey().toBytes(), body).toBytes();
        assertTrue(OWNER.publicKey().verify(Domain.UPDATE_DIGEST_SIGNATURE, digest, s.getSignature().toByteArray()));
        assertFalse(OWNER.publicKey().verify(Domain.UPDATE_SIGNATURE, body, s.getSignature().toByteArray()),
                "not the body itself (format 1)");
        assertTrue(SignedUpdates.verify(s));
        // A format-1 signature (over the body) is not accepted.
        byte[] v1 = OWNER.sign(Domain.UPDATE_SIGNATURE, body);
        assertFalse(SignedUpdates.verify(s.toBuilder().setSignature(ByteString.copyFrom(v1)).build()));
    }

    @Test
    void aTamperedBodyOrForeignKeyDoesNotVerify() {
        SignedUpdate s = SignedUpdates.sign(update(), OWNER);
        byte[] body = s.getBody().toByteArray();
        body[body.length - 1] ^= 1;
        assertFalse(SignedUpdates.verify(s.toBuilder().setBody(ByteString.copyFrom(body)).build()));
        assertFalse(SignedUpdates.verify(s.toBuilder().setPublicKey(Protos.toByteString(OTHER.publicKey())).build()));
        assertFalse(SignedUpdates.verify(s.toBuilder().setPublicKey(ByteString.copyFrom(new byte[31])).build()));
        assertFalse(SignedUpdates.verify(s.toBuilder().setSignature(s.getSignature().substring(1)).build()));
        // The same bytes signed under another domain must not pass as an update signature.
        byte[] other = OWNER.sign(Domain.RING_MESSAGE, SignedUpdates.digest(s).toBytes());
        assertFalse(SignedUpdates.verify(s.toBuilder().setSignature(ByteString.copyFrom(other)).build()));
    }

    @Test
    void digestIsTheDomainSeparatedHashOfTheWriterAndTheBody() {
        SignedUpdate s = SignedUpdates.sign(update(), OWNER);
        ByteString body = s.getBody();
        byte[] key = OWNER.publicKey().toBytes();
        byte[] prefix = Domain.UPDATE_BY_WRITER.prefix();
        byte[] message = new byte[prefix.length + key.length + body.size()];
        System.arraycopy(prefix, 0, message, 0, prefix.length);
        System.arraycopy(key, 0, message, prefix.length, key.length);
        body.copyTo(message, prefix.length + key.length);
        assertEquals(Hash32.of(sha256(message)), SignedUpdates.digest(s));
        // The same body signed by another key is another update.
        SignedUpdate other = SignedUpdates.sign(update(), OTHER);
        assertEquals(s.getBody(), other.getBody());
        assertNotEquals(SignedUpdates.digest(s), SignedUpdates.digest(other));
    }

    /**
     * Pins the wire bytes of a small update, derived by hand from the protobuf encoding rules, so an
     * accidental change to what the builder emits (and so to every signature) fails here.
     */
    @Test
    void goldenBodyBytes() {
        byte[] aguid = new byte[32];
        Arrays.fill(aguid, (byte) 0x11);
        Update u = Updates.forObject(Aguid.of(aguid)).nonce(7).when(Predicates.always()).then(Actions.truncate(0)).build();
        String expected = "0801" // format_version = 1
                + "1220" + "11".repeat(32) // aguid, 32 bytes
                + "1807" // nonce = 7
                + "2208" // clause, 8 bytes
                + "0a020a00" // predicate { always {} }
                + "12022a00"; // actions { truncate {} }: size 0 is the proto3 default and not written
        assertEquals(expected, HexFormat.of().formatHex(u.toByteArray()));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void signingIsDeterministic() {
        assertArrayEquals(SignedUpdates.sign(update(), OWNER).toByteArray(), SignedUpdates.sign(update(), OWNER).toByteArray());
    }
}
