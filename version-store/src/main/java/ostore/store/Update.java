package ostore.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import ostore.crypto.Aguid;

/** A predicate-guarded update, decoded from the signed body. */
public record Update(Aguid aguid, long nonce, List<Clause> clauses, Optional<Creation> creation) {
    public Update {
        Objects.requireNonNull(aguid, "aguid");
        clauses = List.copyOf(clauses);
        Objects.requireNonNull(creation, "creation");
    }
}
