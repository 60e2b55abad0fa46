package ostore.store;

import java.util.List;
import java.util.Objects;

/** If {@code predicate} holds (and no earlier clause did), apply {@code actions} atomically. */
public record Clause(Predicate predicate, List<Action> actions) {
    public Clause {
        Objects.requireNonNull(predicate, "predicate");
        actions = List.copyOf(actions);
    }
}
