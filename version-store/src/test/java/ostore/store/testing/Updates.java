package ostore.store.testing;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.Domain;
import ostore.crypto.Hashing;
import ostore.crypto.SigningKey;
import ostore.store.Action;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Clause;
import ostore.store.Creation;
import ostore.store.Predicate;
import ostore.store.Update;

/** Builds authenticated updates for tests, with fixed keys so failures replay exactly. */
public final class Updates {
    public static final SigningKey OWNER = key(1);
    public static final SigningKey WRITER = key(2);
    public static final SigningKey STRANGER = key(3);
    public static final String NAME = "object";
    public static final Aguid AGUID = Aguid.of(OWNER.publicKey(), NAME);

    private Updates() {}

    public static SigningKey key(int seed) {
        byte[] s = new byte[SigningKey.SEED_LENGTH];
        Arrays.fill(s, (byte) seed);
        return SigningKey.fromSeed(s);
    }

    /** An update by the owner that may create {@link #AGUID}. */
    public static AuthenticatedUpdate create(long nonce, Clause... clauses) {
        return create(NAME, nonce, clauses);
    }

    /** An update by the owner that may create the owner's object {@code name}. */
    public static AuthenticatedUpdate create(String name, long nonce, Clause... clauses) {
        Update u = new Update(Aguid.of(OWNER.publicKey(), name), nonce, List.of(clauses),
                Optional.of(new Creation(OWNER.publicKey(), name)));
        return authenticate(u, OWNER);
    }

    public static AuthenticatedUpdate update(SigningKey writer, long nonce, Clause... clauses) {
        return authenticate(new Update(AGUID, nonce, List.of(clauses), Optional.empty()), writer);
    }

    /**
     * Stands in for the edge, which hashes the signed body: the digest here is over the update's
     * value, so equal updates get equal digests and different ones (in practice) different ones.
     */
    public static AuthenticatedUpdate authenticate(Update u, SigningKey writer) {
        byte[] id = ByteBuffer.allocate(76).put(u.aguid().toBytes()).put(writer.publicKey().toBytes())
                .putLong(u.nonce()).putInt(u.hashCode()).array();
        return new AuthenticatedUpdate(u, writer.publicKey(), Hashing.hash(Domain.UPDATE, id));
    }

    public static Clause when(Predicate p, Action... actions) {
        return new Clause(p, List.of(actions));
    }

    public static Clause always(Action... actions) {
        return when(new Predicate.Always(), actions);
    }

    public static Action.Data data(int length, int fill) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (fill + i * 31);
        }
        return Action.Data.of(b);
    }

    public static Action.Data text(String s) {
        return Action.Data.of(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
