package ostore.ring.bft;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.CanonicalDecoder;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Domain;
import ostore.crypto.Hashing;
import ostore.crypto.PublicKey;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.store.Action;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Clause;
import ostore.store.Creation;
import ostore.store.Predicate;
import ostore.store.Update;

/**
 * Client updates for the replica tests in a small signed format of their own (the node's is
 * protobuf): {@code body = [u32 key][key][string name][i64 nonce][bytes data]}, then a 64-byte
 * Ed25519 signature over the body. Each appends {@code data} to the object; nonce 1 creates it.
 */
final class TestUpdates {
    private TestUpdates() {}

    static SubmittedUpdate append(SigningKey client, String name, long nonce, String data) {
        byte[] body = new CanonicalEncoder().bytes(client.publicKey().toBytes()).string(name).i64(nonce)
                .bytes(data.getBytes(StandardCharsets.UTF_8)).toByteArray();
        byte[] sig = client.sign(Domain.UPDATE_SIGNATURE, body);
        byte[] signed = Arrays.copyOf(body, body.length + sig.length);
        System.arraycopy(sig, 0, signed, body.length, sig.length);
        return new SubmittedUpdate(signed, VERIFIER.verify(signed));
    }

    static final UpdateVerifier VERIFIER = signed -> {
        if (signed.length < 64) {
            throw new IllegalArgumentException("signed update of " + signed.length + " bytes has no signature");
        }
        byte[] body = Arrays.copyOf(signed, signed.length - 64);
        CanonicalDecoder d = new CanonicalDecoder(body);
        PublicKey writer = PublicKey.of(d.bytes("key"));
        String name = new String(d.bytes("name"), StandardCharsets.UTF_8);
        long nonce = d.i64("nonce");
        byte[] data = d.bytes("data");
        d.end("test update");
        if (!writer.verify(Domain.UPDATE_SIGNATURE, body, Arrays.copyOfRange(signed, body.length, signed.length))) {
            throw new IllegalArgumentException("client signature does not verify");
        }
        Update u = new Update(Aguid.of(writer, name), nonce,
                List.of(new Clause(new Predicate.Always(), List.of(new Action.Append(new Action.Data(data))))),
                nonce == 1 ? Optional.of(new Creation(writer, name)) : Optional.empty());
        return new AuthenticatedUpdate(u, writer, Hashing.hash(Domain.UPDATE, body));
    };
}
