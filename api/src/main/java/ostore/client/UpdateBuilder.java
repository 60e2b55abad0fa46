package ostore.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import ostore.api.Protos;
import ostore.api.v1.Action;
import ostore.api.v1.Clause;
import ostore.api.v1.Creation;
import ostore.api.v1.Predicate;
import ostore.api.v1.Update;
import ostore.crypto.Aguid;
import ostore.crypto.PublicKey;

/**
 * Fluent construction of an {@link Update}. Clauses are kept in the order added: the server applies
 * the actions of the first one whose predicate holds. Not thread-safe.
 */
public final class UpdateBuilder {
    private final Aguid aguid;
    private long nonce;
    private Creation creation;
    private final List<Clause> clauses = new ArrayList<>();

    UpdateBuilder(Aguid aguid, long nonce) {
        this.aguid = aguid;
        this.nonce = nonce;
    }

    /**
     * Replaces the random nonce. A retry must reuse the nonce of the attempt it retries, so the
     * server answers it with the first outcome instead of applying it twice.
     */
    public UpdateBuilder nonce(long nonce) {
        this.nonce = nonce;
        return this;
    }

    /** Lets this update create the object; {@code owner} and {@code name} must give its AGUID. */
    public UpdateBuilder create(PublicKey owner, String name) {
        Objects.requireNonNull(owner, "owner");
        Aguid named = Aguid.of(owner, name);
        if (!named.equals(aguid)) {
            throw new IllegalArgumentException("create(" + owner + ", \"" + name + "\") names AGUID " + named
                    + ", not the update's AGUID " + aguid);
        }
        creation = Creation.newBuilder().setOwnerPublicKey(Protos.toByteString(owner)).setName(name).build();
        return this;
    }

    /** Starts a clause; {@link PendingClause#then} adds it. */
    public PendingClause when(Predicate predicate) {
        Objects.requireNonNull(predicate, "predicate");
        return new PendingClause(predicate);
    }

    public Update build() {
        if (clauses.isEmpty()) {
            throw new IllegalStateException("update of " + aguid + " has no clauses; it could only abort");
        }
        Update.Builder b = Update.newBuilder()
                .setFormatVersion(Updates.FORMAT_VERSION)
                .setAguid(Protos.toByteString(aguid))
                .setNonce(nonce)
                .addAllClauses(clauses);
        if (creation != null) {
            b.setCreate(creation);
        }
        return b.build();
    }

    /** A predicate waiting for its actions. */
    public final class PendingClause {
        private final Predicate predicate;

        private PendingClause(Predicate predicate) {
            this.predicate = predicate;
        }

        /** Adds the clause (predicate, actions) after those already added. */
        public UpdateBuilder then(Action... actions) {
            Objects.requireNonNull(actions, "actions");
            return then(List.of(actions));
        }

        public UpdateBuilder then(List<Action> actions) {
            Objects.requireNonNull(actions, "actions");
            for (int i = 0; i < actions.size(); i++) {
                Objects.requireNonNull(actions.get(i), "actions[" + i + "]");
            }
            clauses.add(Clause.newBuilder().setPredicate(predicate).addAllActions(actions).build());
            return UpdateBuilder.this;
        }
    }
}
