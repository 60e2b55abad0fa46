package ostore.ring.sim;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.crypto.PublicKey;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.store.Action;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Clause;
import ostore.store.Comparison;
import ostore.store.Creation;
import ostore.store.Predicate;
import ostore.store.Update;

/**
 * The simulator's own signed-update format. The real one is protobuf and lives in the node, which
 * the ring must not depend on; the ring treats signed updates as opaque bytes plus a decoded
 * {@link AuthenticatedUpdate}, so any real, signed, strictly parsed format exercises it the same.
 * It covers what the workload sends: create-if-missing, compare-version and append.
 *
 * <p>Signed update, big-endian: {@code [u8 format = 1][u32 n][n body bytes][32 writer key][64 signature]},
 * the signature over the body under {@link Domain#UPDATE_SIGNATURE}, the digest
 * {@code hash(UPDATE, body)}. Body: {@code [u8 format = 1][32 aguid][i64 nonce][u8 has creation]
 * ([u32 n][owner key][u32 n][UTF-8 name])? [u32 clauses] (predicate [u32 actions] action*)*}.
 * Predicate codes: 1 always, 2 compare-version {@code [u8 comparison][i64 seq]}. Action codes:
 * 1 append {@code [u32 n][data]}. Codes are explicit, never enum ordinals.
 */
final class SimUpdateCodec {
    static final int FORMAT = 1;
    static final int PREDICATE_ALWAYS = 1;
    static final int PREDICATE_COMPARE_VERSION = 2;
    static final int ACTION_APPEND = 1;

    private SimUpdateCodec() {}

    static SubmittedUpdate sign(SigningKey key, Update update) {
        byte[] body = encodeBody(update);
        byte[] signature = key.sign(Domain.UPDATE_SIGNATURE, body);
        byte[] signed = ByteBuffer.allocate(1 + 4 + body.length + PublicKey.LENGTH + PublicKey.SIGNATURE_LENGTH)
                .put((byte) FORMAT)
                .putInt(body.length)
                .put(body)
                .put(key.publicKey().toBytes())
                .put(signature)
                .array();
        return new SubmittedUpdate(signed, new AuthenticatedUpdate(update, key.publicKey(), digestOf(key.publicKey(), body)));
    }

    /** As the real format: the writer is part of the update's identity. */
    static Hash32 digestOf(PublicKey writer, byte[] body) {
        return ostore.crypto.UpdateSignature.digest(writer, body);
    }

    /**
     * Parses and authenticates a signed update: the writer's signature must hold over the body.
     *
     * @throws IllegalArgumentException naming what is wrong, for any bytes that are not a valid signed update
     */
    static AuthenticatedUpdate decode(byte[] signed) {
        ByteBuffer b = ByteBuffer.wrap(signed);
        try {
            int format = Byte.toUnsignedInt(b.get());
            if (format != FORMAT) {
                throw new IllegalArgumentException("signed update format (" + format + ") must be " + FORMAT);
            }
            byte[] body = lengthPrefixed(b, "body");
            PublicKey writer = PublicKey.of(fixed(b, PublicKey.LENGTH));
            byte[] signature = fixed(b, PublicKey.SIGNATURE_LENGTH);
            requireEnd(b, "signed update");
            if (!writer.verify(Domain.UPDATE_SIGNATURE, body, signature)) {
                throw new IllegalArgumentException("signature by " + writer + " does not verify over the update body");
            }
            return new AuthenticatedUpdate(decodeBody(body), writer, digestOf(writer, body));
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("signed update is truncated (" + signed.length + " bytes)", e);
        }
    }

    static byte[] encodeBody(Update u) {
        CanonicalEncoder e = new CanonicalEncoder().u8(FORMAT).hash(u.aguid().hash()).i64(u.nonce());
        e.bool(u.creation().isPresent());
        u.creation().ifPresent(c -> e.bytes(c.owner().toBytes()).string(c.name()));
        e.u32(u.clauses().size());
        for (Clause c : u.clauses()) {
            encodePredicate(e, c.predicate());
            e.u32(c.actions().size());
            for (Action a : c.actions()) {
                if (!(a instanceof Action.Append append)) {
                    throw new IllegalArgumentException("the simulator's codec has no code for action " + a);
                }
                e.u8(ACTION_APPEND).bytes(append.data().bytes());
            }
        }
        return e.toByteArray();
    }

    private static void encodePredicate(CanonicalEncoder e, Predicate p) {
        switch (p) {
            case Predicate.Always a -> e.u8(PREDICATE_ALWAYS);
            case Predicate.CompareVersion cv -> e.u8(PREDICATE_COMPARE_VERSION).u8(cv.op().code()).i64(cv.seq());
            default -> throw new IllegalArgumentException("the simulator's codec has no code for predicate " + p);
        }
    }

    private static Update decodeBody(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        int format = Byte.toUnsignedInt(b.get());
        if (format != FORMAT) {
            throw new IllegalArgumentException("update body format (" + format + ") must be " + FORMAT);
        }
        Aguid aguid = new Aguid(Hash32.of(fixed(b, Hash32.LENGTH)));
        long nonce = b.getLong();
        Optional<Creation> creation = switch (Byte.toUnsignedInt(b.get())) {
            case 0 -> Optional.empty();
            case 1 -> Optional.of(new Creation(PublicKey.of(lengthPrefixed(b, "owner key")),
                    new String(lengthPrefixed(b, "name"), StandardCharsets.UTF_8)));
            default -> throw new IllegalArgumentException("creation flag must be 0 or 1");
        };
        int clauseCount = count(b, "clauses");
        List<Clause> clauses = new ArrayList<>(clauseCount);
        for (int i = 0; i < clauseCount; i++) {
            Predicate predicate = decodePredicate(b);
            int actionCount = count(b, "actions");
            List<Action> actions = new ArrayList<>(actionCount);
            for (int a = 0; a < actionCount; a++) {
                int code = Byte.toUnsignedInt(b.get());
                if (code != ACTION_APPEND) {
                    throw new IllegalArgumentException("action code (" + code + ") must be " + ACTION_APPEND);
                }
                actions.add(new Action.Append(Action.Data.of(lengthPrefixed(b, "append data"))));
            }
            clauses.add(new Clause(predicate, actions));
        }
        requireEnd(b, "update body");
        return new Update(aguid, nonce, clauses, creation);
    }

    private static Predicate decodePredicate(ByteBuffer b) {
        int code = Byte.toUnsignedInt(b.get());
        return switch (code) {
            case PREDICATE_ALWAYS -> new Predicate.Always();
            case PREDICATE_COMPARE_VERSION -> new Predicate.CompareVersion(
                    Comparison.fromCode(Byte.toUnsignedInt(b.get())), b.getLong());
            default -> throw new IllegalArgumentException("predicate code (" + code + ") must be 1 or 2");
        };
    }

    /** A u32 count, refused when larger than the bytes left could possibly hold. */
    private static int count(ByteBuffer b, String what) {
        long n = Integer.toUnsignedLong(b.getInt());
        if (n > b.remaining()) {
            throw new IllegalArgumentException(what + " count (" + n + ") exceeds the " + b.remaining() + " bytes left");
        }
        return (int) n;
    }

    private static byte[] lengthPrefixed(ByteBuffer b, String what) {
        long n = Integer.toUnsignedLong(b.getInt());
        if (n > b.remaining()) {
            throw new IllegalArgumentException(what + " length (" + n + ") exceeds the " + b.remaining() + " bytes left");
        }
        return fixed(b, (int) n);
    }

    private static byte[] fixed(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static void requireEnd(ByteBuffer b, String what) {
        if (b.hasRemaining()) {
            throw new IllegalArgumentException(what + " has " + b.remaining() + " trailing bytes");
        }
    }
}
