package ostore.store;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import ostore.crypto.Aguid;
import ostore.store.Outcome.Rejection;

/**
 * State-free checks on an update: limits, field ranges and the creation's AGUID. The node runs
 * them before ordering, so junk never reaches the log, and the store runs them again at execution,
 * because a replica must not trust that its peers checked.
 */
public final class UpdateValidator {
    private UpdateValidator() {}

    /** @throws InvalidUpdateException naming the first offending field and the limit it breaks */
    public static void validate(AuthenticatedUpdate u, Limits limits) {
        if (u == null || limits == null) {
            throw new IllegalArgumentException("update (" + u + ") and limits (" + limits + ") must be non-null");
        }
        List<Clause> clauses = u.update().clauses();
        if (clauses.isEmpty()) {
            throw invalid("clauses", Rejection.INVALID_ACTION, "clauses must not be empty");
        }
        if (clauses.size() > limits.maxClauses()) {
            throw invalid("clauses", Rejection.LIMIT_EXCEEDED,
                    "clauses (" + clauses.size() + ") exceeds the maximum of " + limits.maxClauses());
        }
        long payload = 0;
        for (int i = 0; i < clauses.size(); i++) {
            payload += validateClause("clauses[" + i + "]", clauses.get(i), limits);
        }
        if (payload > limits.maxUpdateBytes()) {
            throw invalid("clauses", Rejection.LIMIT_EXCEEDED, "update payload (" + payload
                    + " bytes) exceeds the maximum update size (" + limits.maxUpdateBytes() + ")");
        }
        validateCreation(u);
    }

    /** Returns the clause's payload bytes. */
    private static long validateClause(String path, Clause clause, Limits limits) {
        long payload = validatePredicate(path + ".predicate", clause.predicate(), limits);
        List<Action> actions = clause.actions();
        if (actions.size() > limits.maxActionsPerClause()) {
            throw invalid(path + ".actions", Rejection.LIMIT_EXCEEDED, path + ".actions (" + actions.size()
                    + ") exceeds the maximum of " + limits.maxActionsPerClause());
        }
        for (int j = 0; j < actions.size(); j++) {
            payload += validateAction(path + ".actions[" + j + "]", actions.get(j), limits);
        }
        return payload;
    }

    /**
     * Walks the tree with an explicit stack so a deep tree is refused, not a stack overflow.
     * Returns the needle bytes, which count toward the update's payload.
     */
    private static long validatePredicate(String path, Predicate root, Limits limits) {
        record Node(String path, Predicate p) {}
        Deque<Node> pending = new ArrayDeque<>();
        pending.push(new Node(path, root));
        int count = 0;
        long needles = 0;
        while (!pending.isEmpty()) {
            Node n = pending.pop();
            if (++count > limits.maxPredicateNodes()) {
                throw invalid(path, Rejection.LIMIT_EXCEEDED, path + " has more than the maximum of "
                        + limits.maxPredicateNodes() + " predicate nodes");
            }
            switch (n.p()) {
                case Predicate.And and -> pushAll(pending, n.path() + ".and", and.operands(), Node::new);
                case Predicate.Or or -> pushAll(pending, n.path() + ".or", or.operands(), Node::new);
                case Predicate.Not not -> pending.push(new Node(n.path() + ".not.operand", not.operand()));
                case Predicate.CompareBlock cb -> requireNonNegative(n.path() + ".compare_block.index", cb.index());
                case Predicate.Search s ->
                    needles += requireAtMostBlock(n.path() + ".search.needle", s.length(), limits);
                case Predicate.Always a -> { }
                case Predicate.CompareVersion cv -> { }
                case Predicate.CompareVguid cv -> { }
                case Predicate.CompareSize cs -> { }
            }
        }
        return needles;
    }

    private static <N> void pushAll(Deque<N> pending, String path, List<Predicate> operands,
            java.util.function.BiFunction<String, Predicate, N> node) {
        for (int k = operands.size() - 1; k >= 0; k--) {
            pending.push(node.apply(path + ".operands[" + k + "]", operands.get(k)));
        }
    }

    /** Returns the action's payload bytes. */
    private static long validateAction(String path, Action action, Limits limits) {
        return switch (action) {
            case Action.ReplaceBlock r -> {
                requireNonNegative(path + ".replace_block.index", r.index());
                yield requireAtMostBlock(path + ".replace_block.data", r.data().length(), limits);
            }
            case Action.InsertBlock ins -> {
                requireNonNegative(path + ".insert_block.index", ins.index());
                yield requireAtMostBlock(path + ".insert_block.data", ins.data().length(), limits);
            }
            case Action.DeleteBlock d -> {
                requireNonNegative(path + ".delete_block.index", d.index());
                yield 0;
            }
            case Action.Truncate t -> {
                requireNonNegative(path + ".truncate.size", t.size());
                yield 0;
            }
            case Action.Append a -> a.data().length();
            case Action.SetAcl s -> {
                if (s.writers().size() > Limits.MAX_ACL_WRITERS) {
                    throw invalid(path + ".set_acl.writers", Rejection.LIMIT_EXCEEDED, path + ".set_acl.writers ("
                            + s.writers().size() + ") exceeds the maximum of " + Limits.MAX_ACL_WRITERS);
                }
                yield 0;
            }
        };
    }

    private static void validateCreation(AuthenticatedUpdate u) {
        Creation c = u.update().creation().orElse(null);
        if (c == null) {
            return;
        }
        if (c.name().isEmpty()) {
            throw invalid("create.name", Rejection.BAD_CREATION, "create.name must not be empty");
        }
        Aguid expected = Aguid.of(c.owner(), c.name());
        if (!expected.equals(u.update().aguid())) {
            throw invalid("aguid", Rejection.BAD_CREATION, "aguid (" + u.update().aguid()
                    + ") is not the AGUID of create.owner_public_key and create.name (" + expected + ")");
        }
        if (!c.owner().equals(u.writer())) {
            throw invalid("create.owner_public_key", Rejection.BAD_CREATION, "writer (" + u.writer()
                    + ") is not the owner named by create.owner_public_key (" + c.owner() + ")");
        }
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw invalid(field, Rejection.INVALID_ACTION, field + " (" + Long.toUnsignedString(value)
                    + ") exceeds the maximum of " + Long.MAX_VALUE);
        }
    }

    private static int requireAtMostBlock(String field, int length, Limits limits) {
        if (length > limits.maxBlockBytes()) {
            throw invalid(field, Rejection.LIMIT_EXCEEDED, field + " (" + length
                    + " bytes) exceeds the maximum block size (" + limits.maxBlockBytes() + ")");
        }
        return length;
    }

    private static InvalidUpdateException invalid(String field, Rejection reason, String message) {
        return new InvalidUpdateException(field, reason, message);
    }
}
