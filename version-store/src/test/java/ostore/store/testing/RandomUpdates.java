package ostore.store.testing;

import static ostore.store.testing.Updates.OWNER;
import static ostore.store.testing.Updates.STRANGER;
import static ostore.store.testing.Updates.WRITER;
import static ostore.store.testing.Updates.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;
import ostore.store.Action;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Clause;
import ostore.store.Comparison;
import ostore.store.Creation;
import ostore.store.Limits;
import ostore.store.Predicate;
import ostore.store.Update;

/**
 * Random update sequences over three objects (one never created up front) and three writers, meant to reach every path of the
 * store rather than to model results: commits, aborts, every rejection, searches, ACL changes,
 * updates sent again (idempotence) and nonces reused with another update. Small nonce, index and
 * block ranges make those collisions common.
 */
public final class RandomUpdates {
    /** Eight-byte blocks and at most 12 per object, so appends split and the block limit is hit. */
    public static final Limits LIMITS = new Limits(8, 1 << 20, 8, 8, 16, 12);
    private static final List<String> NAMES = List.of(Updates.NAME, "second", "third");
    public static final List<Aguid> OBJECTS = NAMES.stream().map(n -> Aguid.of(OWNER.publicKey(), n)).toList();
    /** The objects created before the random updates; the others exist only if an update creates them. */
    private static final int CREATED = 2;
    /** Weighted so that most updates may write: the owner half the time, a stranger rarely. */
    private static final List<SigningKey> WRITERS = List.of(OWNER, OWNER, OWNER, WRITER, WRITER, STRANGER);

    /**
     * One generated step; each field picks a choice as a small number, interpreted by
     * {@link #toUpdates}. {@code mode} 0 sends an earlier update again; 1 adds a creation whoever
     * writes (a non-owner's is a bad creation), 2 to 5 add one when the owner writes.
     */
    public record Op(int who, int nonce, int guard, int action, int a, int b, int fill, int mode) {}

    /**
     * An update with what the ordering layer gave it: a timestamp, and a position in the log of its
     * object's color. Each color's positions count up from 0, as each color's log does.
     */
    public record Step(AuthenticatedUpdate update, long timestampMicros, int color, long position) {}

    /** The ring's color count in these runs; an object's color is computed as the ring does. */
    private static final int COLORS = 4;

    /** Above the random nonces, so the creations are never answered again by accident. */
    private static final long FIRST_NONCE = 100;

    private RandomUpdates() {}

    public static Arbitrary<Op> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, OBJECTS.size() * WRITERS.size() - 1), Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(0, 12), Arbitraries.integers().between(0, 20),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 9)).as(Op::new);
    }

    /**
     * The updates the ops describe, in order, after the owner created the first objects and made
     * {@code WRITER} a writer of them (the second encrypted, which refuses searches), so most
     * random updates meet a live object. Timestamps step by 10 µs but sometimes go back, as a new
     * primary's clock may; the store must clamp them the same way everywhere.
     */
    public static List<Step> toUpdates(List<Op> ops) {
        List<Step> steps = new ArrayList<>();
        long[] nextPositions = new long[COLORS];
        for (int object = 0; object < CREATED; object++) {
            List<Action> actions = List.of(new Action.Append(data(12, object)),
                    new Action.SetAcl(List.of(WRITER.publicKey()), object == 1));
            Update create = new Update(OBJECTS.get(object), FIRST_NONCE, List.of(new Clause(new Predicate.Always(),
                    actions)), Optional.of(new Creation(OWNER.publicKey(), NAMES.get(object))));
            steps.add(step(Updates.authenticate(create, OWNER), 10L * steps.size(), nextPositions));
        }
        for (Op op : ops) {
            long timestamp = 10L * steps.size() - (op.fill() % 4 == 0 ? 25 : 0);
            AuthenticatedUpdate u = op.mode() == 0 ? steps.get(op.a() % steps.size()).update() : toUpdate(op);
            steps.add(step(u, timestamp, nextPositions));
        }
        return steps;
    }

    private static Step step(AuthenticatedUpdate u, long timestampMicros, long[] nextPositions) {
        int color = colorOf(u.update().aguid());
        return new Step(u, timestampMicros, color, nextPositions[color]++);
    }

    private static int colorOf(Aguid aguid) {
        return Byte.toUnsignedInt(aguid.toBytes()[0]) % COLORS;
    }

    private static AuthenticatedUpdate toUpdate(Op op) {
        int object = op.who() % OBJECTS.size();
        SigningKey writer = WRITERS.get(op.who() / OBJECTS.size());
        boolean creates = op.mode() == 1 || op.mode() <= 5 && writer.equals(OWNER);
        Optional<Creation> creation = creates
                ? Optional.of(new Creation(OWNER.publicKey(), NAMES.get(object))) : Optional.empty();
        Clause clause = new Clause(guard(op), actions(op));
        Clause fallback = new Clause(new Predicate.Always(), List.of(new Action.Append(data(op.fill() % 5, op.b()))));
        List<Clause> clauses = op.fill() % 3 == 0 ? List.of(clause, fallback) : List.of(clause);
        return Updates.authenticate(new Update(OBJECTS.get(object), op.nonce(), clauses, creation), writer);
    }

    private static Predicate guard(Op op) {
        return switch (op.guard()) {
            case 0, 1 -> new Predicate.Always();
            case 2 -> new Predicate.CompareVersion(op.a() % 2 == 0 ? Comparison.EQ : Comparison.GE, op.a() % 4);
            case 3 -> new Predicate.CompareSize(Comparison.LT, 4L * op.a());
            case 4 -> new Predicate.Search(data(op.a() % 3, op.fill()).bytes());
            case 5 -> new Predicate.Not(new Predicate.CompareVersion(Comparison.EQ, op.a() % 3));
            case 6 -> new Predicate.Or(List.of(new Predicate.CompareVersion(Comparison.GT, op.a() % 3),
                    new Predicate.Search(data(1, op.fill()).bytes())));
            default -> new Predicate.CompareVersion(Comparison.EQ, 99);
        };
    }

    /** Replace and insert data may exceed the 8-byte block, which must be rejected. */
    private static List<Action> actions(Op op) {
        Action.Data block = data(op.b() % 11, op.fill());
        long index = op.a() % 4;
        return switch (op.action()) {
            case 0 -> List.of(new Action.Append(data(op.b(), op.fill())));
            case 1 -> List.of(new Action.ReplaceBlock(index, block));
            case 2 -> List.of(new Action.InsertBlock(index, block));
            case 3 -> List.of(new Action.DeleteBlock(index));
            case 4 -> List.of(new Action.Truncate(3L * op.a()));
            case 5 -> List.of();
            case 6 -> List.of(new Action.SetAcl(List.of(WRITER.publicKey()), op.fill() % 4 == 1));
            default -> List.of(new Action.Append(block), new Action.DeleteBlock(0));
        };
    }
}
