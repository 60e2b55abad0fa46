package ostore.store.engine;

import java.util.List;
import java.util.Optional;
import ostore.crypto.Acl;
import ostore.crypto.BlockListHash;
import ostore.crypto.PublicKey;
import ostore.crypto.VersionRoot;
import ostore.store.Action;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Clause;
import ostore.store.InvalidUpdateException;
import ostore.store.Limits;
import ostore.store.Outcome.Rejected;
import ostore.store.Outcome.Rejection;
import ostore.store.StoredVersion;
import ostore.store.Update;
import ostore.store.UpdateValidator;

/**
 * Executes one update against an object's latest version. Pure and deterministic: the result
 * depends only on the arguments (and the bytes {@code reader} returns for named blocks), so every
 * correct replica computes byte-identical versions. It never writes; the store does.
 */
public final class UpdateEngine {
    /** The abort reason recorded when no clause's predicate holds. */
    public static final String NO_CLAUSE_HOLDS = "no clause holds";

    private final Limits limits;

    public UpdateEngine(Limits limits) {
        if (limits == null) {
            throw new IllegalArgumentException("limits must be non-null");
        }
        this.limits = limits;
    }

    /**
     * @param latest the object's latest version, empty if the object does not exist
     * @param timestampMicros the ordering layer's timestamp; the version gets at least its
     *     predecessor's, so reads as of a time see versions in seq order
     */
    public Execution execute(Optional<StoredVersion> latest, AuthenticatedUpdate u, long timestampMicros,
            BlockReader reader) {
        if (latest == null || u == null || reader == null) {
            throw new IllegalArgumentException("latest (" + latest + "), update (" + u + ") and reader ("
                    + reader + ") must be non-null");
        }
        assert latest.map(v -> v.root().aguid().equals(u.update().aguid())).orElse(true)
                : "latest version belongs to the updated object";
        Optional<Rejected> rejected = checkState(latest, u);
        if (rejected.isPresent()) {
            return new Execution.Reject(rejected.get());
        }
        long timestamp = Math.max(timestampMicros, latest.map(v -> v.root().timestampMicros()).orElse(Long.MIN_VALUE));
        PredicateEvaluator evaluator = new PredicateEvaluator(latest, reader);
        List<Clause> clauses = u.update().clauses();
        for (int i = 0; i < clauses.size(); i++) {
            if (evaluator.holds(clauses.get(i).predicate())) {
                return commit(latest, u, i, timestamp, reader);
            }
        }
        if (latest.isEmpty()) {
            return new Execution.Reject(new Rejected(Rejection.UNKNOWN_OBJECT, "object " + u.update().aguid()
                    + " does not exist and no clause created it"));
        }
        return new Execution.Abort(NO_CLAUSE_HOLDS, timestamp);
    }

    /** The checks that need the latest version but not the clauses' outcome. */
    private Optional<Rejected> checkState(Optional<StoredVersion> latest, AuthenticatedUpdate u) {
        try {
            UpdateValidator.validate(u, limits);
        } catch (InvalidUpdateException e) {
            return Optional.of(e.toRejected());
        }
        Update update = u.update();
        if (latest.isEmpty()) {
            return update.creation().isPresent() ? Optional.empty()
                    : Optional.of(new Rejected(Rejection.UNKNOWN_OBJECT,
                            "object " + update.aguid() + " does not exist and the update has no create"));
        }
        Acl acl = latest.get().root().acl();
        if (!acl.mayWrite(u.writer())) {
            return Optional.of(new Rejected(Rejection.NOT_A_WRITER,
                    "writer (" + u.writer() + ") is neither the owner nor on the ACL of object " + update.aguid()));
        }
        if (acl.encrypted() && update.clauses().stream().anyMatch(c -> PredicateEvaluator.searches(c.predicate()))) {
            return Optional.of(new Rejected(Rejection.ENCRYPTED_OBJECT,
                    "search predicates are refused on object " + update.aguid() + ", whose ACL marks it encrypted"));
        }
        return Optional.empty();
    }

    private Execution commit(Optional<StoredVersion> latest, AuthenticatedUpdate u, int clauseIndex,
            long timestamp, BlockReader reader) {
        PublicKey owner = latest.map(v -> v.root().acl().owner())
                .orElseGet(() -> u.update().creation().orElseThrow().owner());
        BlockListEditor editor = new BlockListEditor(latest.map(StoredVersion::blocks).orElse(List.of()),
                latest.map(v -> v.root().acl()).orElseGet(() -> Acl.ownerOnly(owner)), u.writer(), reader, limits);
        List<Action> actions = u.update().clauses().get(clauseIndex).actions();
        for (int j = 0; j < actions.size(); j++) {
            Optional<Rejected> rejected = editor.apply("clauses[" + clauseIndex + "].actions[" + j + "]", actions.get(j));
            if (rejected.isPresent()) {
                return new Execution.Reject(rejected.get());
            }
        }
        VersionRoot root = new VersionRoot(u.update().aguid(),
                latest.map(v -> v.root().seq() + 1).orElse(1L),
                latest.map(StoredVersion::vguid),
                editor.size(), editor.blocks().size(), BlockListHash.root(editor.blocks()),
                timestamp, editor.acl(), u.digest());
        return new Execution.Commit(new StoredVersion(root, root.vguid(), editor.blocks()), clauseIndex,
                editor.newBlocks());
    }
}
