package ostore.store;

import static ostore.store.testing.Updates.AGUID;
import static ostore.store.testing.Updates.OWNER;
import static ostore.store.testing.Updates.WRITER;
import static ostore.store.testing.Updates.always;
import static ostore.store.testing.Updates.authenticate;
import static ostore.store.testing.Updates.data;
import static ostore.store.testing.Updates.update;
import static ostore.store.testing.Updates.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import ostore.crypto.Bguid;
import ostore.crypto.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UpdateValidatorTest {
    private static final Limits LIMITS = new Limits(65536, 200_000, 64, 8, 5, 1 << 20);

    private static InvalidUpdateException invalid(AuthenticatedUpdate u) {
        return assertThrows(InvalidUpdateException.class, () -> UpdateValidator.validate(u, LIMITS));
    }

    static Stream<Arguments> badUpdates() {
        Predicate t = new Predicate.Always();
        Predicate deep = new Predicate.Not(new Predicate.Not(new Predicate.Not(new Predicate.Not(new Predicate.Not(t)))));
        Clause fine = always();
        return Stream.of(
                Arguments.of(update(OWNER, 1), "clauses", Outcome.Rejection.INVALID_ACTION, "clauses must not be empty"),
                Arguments.of(update(OWNER, 1, Collections.nCopies(65, fine).toArray(Clause[]::new)), "clauses",
                        Outcome.Rejection.LIMIT_EXCEEDED, "clauses (65) exceeds the maximum of 64"),
                Arguments.of(update(OWNER, 1, fine, fine, always(new Action.Append(data(1, 0)),
                                new Action.ReplaceBlock(0, data(70000, 0)))),
                        "clauses[2].actions[1].replace_block.data", Outcome.Rejection.LIMIT_EXCEEDED,
                        "clauses[2].actions[1].replace_block.data (70000 bytes) exceeds the maximum block size (65536)"),
                Arguments.of(update(OWNER, 1, always(new Action.InsertBlock(0, data(65537, 0)))),
                        "clauses[0].actions[0].insert_block.data", Outcome.Rejection.LIMIT_EXCEEDED,
                        "clauses[0].actions[0].insert_block.data (65537 bytes) exceeds the maximum block size (65536)"),
                Arguments.of(update(OWNER, 1, always(Collections.nCopies(9, new Action.DeleteBlock(0)).toArray(Action[]::new))),
                        "clauses[0].actions", Outcome.Rejection.LIMIT_EXCEEDED, "clauses[0].actions (9) exceeds the maximum of 8"),
                Arguments.of(update(OWNER, 1, fine, when(new Predicate.And(List.of(t, deep)))), "clauses[1].predicate",
                        Outcome.Rejection.LIMIT_EXCEEDED, "clauses[1].predicate has more than the maximum of 5 predicate nodes"),
                Arguments.of(update(OWNER, 1, always(new Action.DeleteBlock(-1))), "clauses[0].actions[0].delete_block.index",
                        Outcome.Rejection.INVALID_ACTION,
                        "clauses[0].actions[0].delete_block.index (18446744073709551615) exceeds the maximum of 9223372036854775807"),
                Arguments.of(update(OWNER, 1, always(new Action.Truncate(Long.MIN_VALUE))), "clauses[0].actions[0].truncate.size",
                        Outcome.Rejection.INVALID_ACTION,
                        "clauses[0].actions[0].truncate.size (9223372036854775808) exceeds the maximum of 9223372036854775807"),
                Arguments.of(update(OWNER, 1, when(new Predicate.Or(List.of(t, new Predicate.CompareBlock(-2, Bguid.ofBlock(new byte[0])))))),
                        "clauses[0].predicate.or.operands[1].compare_block.index", Outcome.Rejection.INVALID_ACTION,
                        "clauses[0].predicate.or.operands[1].compare_block.index (18446744073709551614) exceeds the maximum of 9223372036854775807"),
                Arguments.of(update(OWNER, 1, when(new Predicate.Or(List.of(t,
                                new Predicate.Search(data(65537, 0).bytes()))))),
                        "clauses[0].predicate.or.operands[1].search.needle", Outcome.Rejection.LIMIT_EXCEEDED,
                        "clauses[0].predicate.or.operands[1].search.needle (65537 bytes) exceeds the maximum block"
                                + " size (65536)"),
                Arguments.of(update(OWNER, 1, fine, always(new Action.SetAcl(
                                Collections.nCopies(Limits.MAX_ACL_WRITERS + 1, WRITER.publicKey()), false))),
                        "clauses[1].actions[0].set_acl.writers", Outcome.Rejection.LIMIT_EXCEEDED,
                        "clauses[1].actions[0].set_acl.writers (1025) exceeds the maximum of 1024"),
                Arguments.of(update(OWNER, 1, always(new Action.Append(data(150_000, 0))), always(new Action.Append(data(60_000, 0)))),
                        "clauses", Outcome.Rejection.LIMIT_EXCEEDED,
                        "update payload (210000 bytes) exceeds the maximum update size (200000)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badUpdates")
    void rejectsNamingTheFieldAndLimit(AuthenticatedUpdate u, String field, Outcome.Rejection reason, String message) {
        InvalidUpdateException e = invalid(u);
        assertEquals(field, e.field());
        assertEquals(reason, e.reason());
        assertEquals(message, e.getMessage());
    }

    @Test
    void acceptsAnUpdateAtEveryLimit() {
        List<Action> actions = new ArrayList<>(Collections.nCopies(7, new Action.DeleteBlock(Long.MAX_VALUE)));
        actions.add(new Action.ReplaceBlock(0, data(65536, 0)));
        Predicate four = new Predicate.Not(new Predicate.Not(new Predicate.Not(new Predicate.Always())));
        Clause clause = new Clause(new Predicate.And(List.of(four)), actions);
        Clause search = new Clause(new Predicate.Search(data(65536, 0).bytes()),
                List.of(new Action.SetAcl(Collections.nCopies(Limits.MAX_ACL_WRITERS, WRITER.publicKey()), false)));
        UpdateValidator.validate(update(OWNER, 1, search), LIMITS);
        UpdateValidator.validate(update(OWNER, 1, Collections.nCopies(3, clause).toArray(Clause[]::new)), LIMITS);
    }

    @Test
    void creationMustNameTheAguidAndBeByTheOwner() {
        Update wrongName = new Update(AGUID, 1, List.of(always()), Optional.of(new Creation(OWNER.publicKey(), "other")));
        InvalidUpdateException e = invalid(authenticate(wrongName, OWNER));
        assertEquals("aguid", e.field());
        assertEquals(Outcome.Rejection.BAD_CREATION, e.reason());

        Update emptyName = new Update(AGUID, 1, List.of(always()), Optional.of(new Creation(OWNER.publicKey(), "")));
        assertEquals("create.name must not be empty", invalid(authenticate(emptyName, OWNER)).getMessage());

        Update good = new Update(AGUID, 1, List.of(always()), Optional.of(new Creation(OWNER.publicKey(), "object")));
        assertEquals("create.owner_public_key", invalid(authenticate(good, WRITER)).field());
        UpdateValidator.validate(authenticate(good, OWNER), LIMITS);
    }

    @Test
    void nullArgumentsAreNamed() {
        SigningKey k = OWNER;
        var e = assertThrows(IllegalArgumentException.class, () -> UpdateValidator.validate(update(k, 1, always()), null));
        assertEquals(true, e.getMessage().contains("limits (null)"));
    }
}
