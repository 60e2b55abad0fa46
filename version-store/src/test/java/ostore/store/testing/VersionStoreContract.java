package ostore.store.testing;

import static ostore.store.testing.Updates.AGUID;
import static ostore.store.testing.Updates.OWNER;
import static ostore.store.testing.Updates.STRANGER;
import static ostore.store.testing.Updates.WRITER;
import static ostore.store.testing.Updates.always;
import static ostore.store.testing.Updates.create;
import static ostore.store.testing.Updates.text;
import static ostore.store.testing.Updates.update;
import static ostore.store.testing.Updates.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import ostore.crypto.Aguid;
import ostore.store.Action;
import ostore.store.Comparison;
import ostore.store.HistoryEntry;
import ostore.store.Limits;
import ostore.store.Outcome;
import ostore.store.Outcome.Rejection;
import ostore.store.Predicate;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;
import ostore.store.engine.UpdateEngine;
import org.junit.jupiter.api.Test;

/**
 * The {@link VersionStore} contract as scenarios, written once and run against every
 * implementation by subclassing: what a store must do whatever it persists to.
 */
public abstract class VersionStoreContract {
    /** Four-byte blocks, so short texts already span several blocks. */
    protected static final Limits LIMITS = new Limits(4, 1 << 20, 64, 64, 64, 1 << 20);
    /** The color of {@link Updates#AGUID} in these scenarios. */
    protected static final int COLOR = 7;

    /** A new, empty store; each test opens one. */
    protected abstract VersionStore newStore();

    protected static StoredVersion committed(Outcome o) {
        return assertInstanceOf(Outcome.Committed.class, o).version();
    }

    protected static Rejection rejected(Outcome o) {
        return assertInstanceOf(Outcome.Rejected.class, o).reason();
    }

    protected static String content(VersionStore s, StoredVersion v) {
        StringBuilder b = new StringBuilder();
        v.blocks().forEach(e -> b.append(new String(s.block(e.bguid()).orElseThrow(), StandardCharsets.US_ASCII)));
        return b.toString();
    }

    @Test
    void readsEveryVersionBySeqVguidLatestAndTime() {
        try (VersionStore s = newStore()) {
            StoredVersion v1 = committed(s.apply(create(1, always(new Action.Append(text("hello")))), 100, COLOR, 0));
            StoredVersion v2 = committed(s.apply(update(OWNER, 2, always(new Action.Truncate(2))), 200, COLOR, 1));
            assertEquals(Optional.of(v2), s.read(AGUID, new Selector.Latest()));
            assertEquals(Optional.of(v1), s.read(AGUID, new Selector.BySeq(1)));
            assertEquals(Optional.of(v1), s.read(AGUID, new Selector.ByVguid(v1.vguid())));
            assertEquals(Optional.empty(), s.read(AGUID, new Selector.BySeq(3)));
            assertEquals(Optional.empty(), s.read(AGUID, new Selector.BySeq(0)));
            assertEquals(Optional.empty(), s.read(AGUID, new Selector.AsOf(99)));
            assertEquals(Optional.of(v1), s.read(AGUID, new Selector.AsOf(100)));
            assertEquals(Optional.of(v1), s.read(AGUID, new Selector.AsOf(199)));
            assertEquals(Optional.of(v2), s.read(AGUID, new Selector.AsOf(Long.MAX_VALUE)));
            assertEquals("hello", content(s, v1));
            assertEquals("he", content(s, v2));
            Aguid other = Aguid.of(OWNER.publicKey(), "other");
            assertEquals(Optional.empty(), s.read(other, new Selector.ByVguid(v1.vguid())));
            assertEquals(Optional.empty(), s.read(other, new Selector.Latest()));
        }
    }

    @Test
    void historyRecordsCommitsAndAbortsInOrder() {
        try (VersionStore s = newStore()) {
            s.apply(create(1, always(new Action.Append(text("a")))), 10, COLOR, 0);
            Outcome abort = s.apply(update(OWNER, 2, when(new Predicate.CompareVersion(Comparison.EQ, 5))), 20, COLOR, 1);
            s.apply(update(OWNER, 3, when(new Predicate.CompareVersion(Comparison.EQ, 9)), always()), 30, COLOR, 2);
            HistoryEntry aborted = assertInstanceOf(Outcome.Aborted.class, abort).entry();
            assertEquals(new HistoryEntry(AGUID, 1, false, aborted.updateDigest(), OWNER.publicKey(), 2, 1,
                    Optional.empty(), 20, -1, UpdateEngine.NO_CLAUSE_HOLDS), aborted);
            List<HistoryEntry> all = s.history(AGUID, 0, 0);
            assertEquals(List.of(0L, 1L, 2L), all.stream().map(HistoryEntry::index).toList());
            assertEquals(List.of(true, false, true), all.stream().map(HistoryEntry::committed).toList());
            assertEquals(1, all.get(2).clauseIndex());
            assertEquals(2, all.get(2).seq());
            assertEquals(all.subList(1, 2), s.history(AGUID, 1, 1));
            assertEquals(List.of(), s.history(AGUID, 3, 0));
            assertEquals(Optional.of(aborted), s.findByNonce(AGUID, OWNER.publicKey(), 2));
        }
    }

    @Test
    void rejectionsEnterNoHistoryButAdvanceThePosition() {
        try (VersionStore s = newStore()) {
            assertEquals(-1, s.appliedPosition(COLOR));
            assertEquals(Rejection.UNKNOWN_OBJECT, rejected(s.apply(update(OWNER, 1, always()), 1, COLOR, 5)));
            assertEquals(5, s.appliedPosition(COLOR));
            s.apply(create(9, always(new Action.Append(text("abc")))), 2, COLOR, 6);
            assertEquals(Rejection.NOT_A_WRITER, rejected(s.apply(update(STRANGER, 1, always()), 3, COLOR, 7)));
            assertEquals(Rejection.INVALID_ACTION, rejected(s.apply(update(OWNER, 2, always(new Action.DeleteBlock(1))), 4, COLOR, 8)));
            assertEquals(1, s.history(AGUID, 0, 0).size());
            assertEquals(1, s.read(AGUID, new Selector.Latest()).orElseThrow().root().seq());
            assertEquals(Optional.empty(), s.findByNonce(AGUID, OWNER.publicKey(), 2));
            assertEquals(8, s.appliedPosition(COLOR));
        }
    }

    /**
     * A signed update refused after ordering must never take effect later, when the state would
     * let it: its writer was told it failed, and anyone who saw the bytes could send them again.
     */
    @Test
    void anUpdateRefusedAtExecutionBurnsItsNonce() {
        try (VersionStore s = newStore()) {
            s.apply(create(1, always(new Action.Append(text("abc")))), 1, COLOR, 0);
            var early = update(WRITER, 5, always(new Action.Append(text("late"))));
            Outcome.Rejected refused = assertInstanceOf(Outcome.Rejected.class, s.apply(early, 2, COLOR, 1));
            assertEquals(Rejection.NOT_A_WRITER, refused.reason());
            s.apply(update(OWNER, 2, always(new Action.SetAcl(List.of(WRITER.publicKey()), false))), 3, COLOR, 2);
            assertEquals(refused, s.apply(early, 4, COLOR, 3), "the same bytes again get the same answer");
            assertEquals(Optional.of(refused), s.precheck(early));
            var other = update(WRITER, 5, always(new Action.Truncate(0)));
            assertEquals(Rejection.NONCE_REUSED, rejected(s.apply(other, 5, COLOR, 4)));
            assertEquals(Rejection.NONCE_REUSED, s.precheck(other).orElseThrow().reason());
            assertEquals(2, s.read(AGUID, new Selector.Latest()).orElseThrow().root().seq(), "nothing committed");
            assertEquals(2, s.history(AGUID, 0, 0).size(), "a refusal is not history");
            assertEquals(Optional.empty(), s.findByNonce(AGUID, WRITER.publicKey(), 5));
            assertEquals(4, s.appliedPosition(COLOR));
            var fresh = update(WRITER, 6, always(new Action.Append(text("late"))));
            assertEquals(3, committed(s.apply(fresh, 6, COLOR, 5)).root().seq(), "a new nonce goes through");
        }
    }

    /** Even for an object that does not exist yet, and for a refusal by the engine's action checks. */
    @Test
    void everyKindOfRefusalAtExecutionBurnsTheNonce() {
        try (VersionStore s = newStore()) {
            var beforeCreation = update(OWNER, 7, always(new Action.Append(text("x"))));
            Outcome.Rejected unknown = assertInstanceOf(Outcome.Rejected.class, s.apply(beforeCreation, 1, COLOR, 0));
            assertEquals(Rejection.UNKNOWN_OBJECT, unknown.reason());
            s.apply(create(1, always()), 2, COLOR, 1);
            assertEquals(unknown, s.apply(beforeCreation, 3, COLOR, 2));
            var truncate = update(OWNER, 8, always(new Action.Truncate(2)));
            Outcome.Rejected tooFar = assertInstanceOf(Outcome.Rejected.class, s.apply(truncate, 4, COLOR, 3));
            assertEquals(Rejection.INVALID_ACTION, tooFar.reason());
            s.apply(update(OWNER, 9, always(new Action.Append(text("abc")))), 5, COLOR, 4);
            assertEquals(tooFar, s.apply(truncate, 6, COLOR, 5));
            assertEquals(2, s.read(AGUID, new Selector.Latest()).orElseThrow().root().seq());
        }
    }

    /**
     * The check a ring replica makes before ordering reads no object state: what depends on it
     * (unknown object, not a writer, an index out of range) passes, and execution answers it; a
     * used nonce and an update no state could admit are refused as precheck refuses them.
     */
    @Test
    void precheckWithoutStateRefusesOnlyWhatNoStateChanges() {
        try (VersionStore s = newStore()) {
            var beforeCreation = update(OWNER, 7, always(new Action.Append(text("x"))));
            assertEquals(Rejection.UNKNOWN_OBJECT, s.precheck(beforeCreation).orElseThrow().reason());
            assertEquals(Optional.empty(), s.precheckWithoutState(beforeCreation), "the object may exist by the time it runs");
            s.apply(create(1, always(new Action.Append(text("abc")))), 1, COLOR, 0);
            var notAWriter = update(WRITER, 5, always(new Action.Append(text("late"))));
            assertEquals(Rejection.NOT_A_WRITER, s.precheck(notAWriter).orElseThrow().reason());
            assertEquals(Optional.empty(), s.precheckWithoutState(notAWriter));
            var truncate = update(OWNER, 8, always(new Action.Truncate(5)));
            assertEquals(Rejection.INVALID_ACTION, s.precheck(truncate).orElseThrow().reason());
            assertEquals(Optional.empty(), s.precheckWithoutState(truncate));
            var reused = update(OWNER, 1, always(new Action.Append(text("again"))));
            assertEquals(s.precheck(reused), s.precheckWithoutState(reused), "a used nonce is refused alike");
            assertEquals(Rejection.NONCE_REUSED, s.precheckWithoutState(reused).orElseThrow().reason());
            var refusedBefore = update(WRITER, 6, always(new Action.Append(text("late"))));
            Outcome.Rejected refused = assertInstanceOf(Outcome.Rejected.class, s.apply(refusedBefore, 2, COLOR, 1));
            assertEquals(Optional.of(refused), s.precheckWithoutState(refusedBefore), "a nonce refused at execution");
            assertEquals(1, s.read(AGUID, new Selector.Latest()).orElseThrow().root().seq(), "nothing changed");
        }
    }

    /** A refusal by precheck is before ordering: it records nothing, and the nonce stays free. */
    @Test
    void aRefusalByPrecheckBurnsNothing() {
        try (VersionStore s = newStore()) {
            s.apply(create(1, always(new Action.Append(text("abc")))), 1, COLOR, 0);
            var early = update(WRITER, 5, always(new Action.Append(text("late"))));
            assertEquals(Rejection.NOT_A_WRITER, s.precheck(early).orElseThrow().reason());
            s.apply(update(OWNER, 2, always(new Action.SetAcl(List.of(WRITER.publicKey()), false))), 2, COLOR, 1);
            assertEquals(Optional.empty(), s.precheck(early));
            assertEquals(3, committed(s.apply(early, 3, COLOR, 2)).root().seq());
        }
    }

    @Test
    void aReplayedPositionIsABug() {
        try (VersionStore s = newStore()) {
            s.apply(create(1, always()), 1, COLOR, 3);
            var e = assertThrows(IllegalStateException.class, () -> s.apply(update(OWNER, 2, always()), 2, COLOR, 3));
            assertTrue(e.getMessage().startsWith("position (3) must exceed the applied position (3) of color 7"),
                    e.getMessage());
        }
    }

    @Test
    void eachColorKeepsItsOwnPosition() {
        try (VersionStore s = newStore()) {
            s.apply(create(1, always()), 1, COLOR, 9);
            s.apply(create("blue", 1, always()), 2, 255, 4);
            s.apply(create("green", 1, always()), 3, 0, 0);
            assertEquals(List.of(0L, 9L, 4L, -1L), positions(s, 0, COLOR, 255, 1));
            s.apply(create("blue", 2, always()), 4, 255, 5);
            assertEquals(List.of(0L, 9L, 5L, -1L), positions(s, 0, COLOR, 255, 1));
            var e = assertThrows(IllegalStateException.class, () -> s.apply(create("green", 2, always()), 5, 0, 0));
            assertTrue(e.getMessage().contains("of color 0"), e.getMessage());
            assertEquals(2, s.read(Aguid.of(OWNER.publicKey(), "blue"), new Selector.Latest()).orElseThrow().root().seq());
        }
    }

    private static List<Long> positions(VersionStore s, int... colors) {
        return Arrays.stream(colors).mapToObj(s::appliedPosition).toList();
    }

    /**
     * One thread per color, each on its own object, all appending the same bytes so that their
     * blocks coincide: every update commits, at its place in its object's stream, and every
     * color's position is its last.
     */
    @Test
    void colorsApplyConcurrently() throws Exception {
        int colors = 4;
        int updates = 40;
        try (VersionStore s = newStore(); var threads = Executors.newFixedThreadPool(colors)) {
            var start = new CountDownLatch(1);
            List<Future<List<Long>>> seqs = new ArrayList<>();
            for (int color = 0; color < colors; color++) {
                int c = color;
                seqs.add(threads.submit(() -> {
                    start.await();
                    List<Long> made = new ArrayList<>();
                    for (int i = 0; i < updates; i++) {
                        Outcome o = s.apply(create("color-" + c, i, always(new Action.Append(text("shared")))), i, c, i);
                        made.add(committed(o).root().seq());
                    }
                    return made;
                }));
            }
            start.countDown();
            List<Long> expected = LongStream.rangeClosed(1, updates).boxed().toList();
            for (int color = 0; color < colors; color++) {
                assertEquals(expected, seqs.get(color).get(), "color " + color);
                StoredVersion last = s.read(Aguid.of(OWNER.publicKey(), "color-" + color), new Selector.Latest())
                        .orElseThrow();
                assertEquals("shared".repeat(updates), content(s, last));
                assertEquals(updates - 1, s.appliedPosition(color));
            }
        }
    }

    @Test
    void theSameNonceIsAnsweredIdempotentlyOrRefused() {
        try (VersionStore s = newStore()) {
            var first = create(1, always(new Action.Append(text("x"))));
            Outcome once = s.apply(first, 1, COLOR, 0);
            Outcome again = s.apply(first, 2, COLOR, 1);
            assertEquals(once, again);
            assertEquals(1, s.history(AGUID, 0, 0).size());
            var abort = update(OWNER, 2, when(new Predicate.CompareVersion(Comparison.EQ, 7)));
            s.apply(update(OWNER, 3, always(new Action.Append(text("y")))), 3, COLOR, 2);
            Outcome aborted = s.apply(abort, 4, COLOR, 3);
            assertEquals(aborted, s.apply(abort, 5, COLOR, 4));
            var reused = update(OWNER, 1, always(new Action.Truncate(0)));
            assertEquals(Rejection.NONCE_REUSED, rejected(s.apply(reused, 6, COLOR, 5)));
            assertEquals(Optional.of(new Outcome.Rejected(Rejection.NONCE_REUSED,
                    ((Outcome.Rejected) s.apply(reused, 7, COLOR, 6)).message())), s.precheck(reused));
            assertEquals(3, s.history(AGUID, 0, 0).size());
            assertEquals(2, s.read(AGUID, new Selector.Latest()).orElseThrow().root().seq());
            assertEquals(6, s.appliedPosition(COLOR));
        }
    }

    @Test
    void precheckFindsWhatApplyWouldRejectAndWritesNothing() {
        try (VersionStore s = newStore()) {
            assertEquals(Rejection.UNKNOWN_OBJECT, s.precheck(update(OWNER, 1, always())).orElseThrow().reason());
            assertEquals(Optional.empty(), s.precheck(create(1, always())));
            s.apply(create(1, always(new Action.Append(text("abcdef")))), 1, COLOR, 0);
            assertEquals(Rejection.NOT_A_WRITER, s.precheck(update(STRANGER, 1, always())).orElseThrow().reason());
            assertEquals(Rejection.INVALID_ACTION,
                    s.precheck(update(OWNER, 2, always(new Action.ReplaceBlock(2, text("z"))))).orElseThrow().reason());
            assertEquals(Rejection.LIMIT_EXCEEDED,
                    s.precheck(update(OWNER, 2, always(new Action.InsertBlock(0, text("12345"))))).orElseThrow().reason());
            assertEquals(Optional.empty(), s.precheck(update(OWNER, 2, always(new Action.ReplaceBlock(1, text("z"))))));
            assertEquals(Optional.empty(), s.precheck(create(1, always(new Action.Append(text("abcdef"))))));
            assertEquals(0, s.appliedPosition(COLOR));
            assertEquals(1, s.history(AGUID, 0, 0).size());
        }
    }

    @Test
    void aCertificateIsKeptPerVersionAndReplacedWhole() {
        try (VersionStore s = newStore()) {
            s.apply(create(1, always(new Action.Append(text("abc")))), 1, COLOR, 0);
            s.apply(update(OWNER, 2, always(new Action.Truncate(1))), 2, COLOR, 1);
            byte[] first = {1, 2, 3};
            s.attachCertificate(AGUID, 1, first);
            first[0] = 9;
            assertArrayEquals(new byte[] {1, 2, 3}, s.certificate(AGUID, 1).orElseThrow(), "the store kept a copy");
            s.certificate(AGUID, 1).orElseThrow()[1] = 9;
            assertArrayEquals(new byte[] {1, 2, 3}, s.certificate(AGUID, 1).orElseThrow(), "reads hand out copies");
            assertEquals(Optional.empty(), s.certificate(AGUID, 2));
            s.attachCertificate(AGUID, 1, new byte[] {4, 5, 6, 7});
            assertArrayEquals(new byte[] {4, 5, 6, 7}, s.certificate(AGUID, 1).orElseThrow());
            s.attachCertificate(AGUID, 2, new byte[] {8});
            assertArrayEquals(new byte[] {8}, s.certificate(AGUID, 2).orElseThrow());
            assertArrayEquals(new byte[] {4, 5, 6, 7}, s.certificate(AGUID, 1).orElseThrow());
            assertEquals(Optional.empty(), s.certificate(Aguid.of(OWNER.publicKey(), "other"), 1));
            assertEquals(Optional.empty(), s.certificate(AGUID, 0));
        }
    }

    /**
     * Every stored version is listed as uncertified until its certificate is attached; aborts and
     * refusals store no version and are never listed.
     */
    @Test
    void versionsWithoutACertificateAreListedUntilOneIsAttached() {
        try (VersionStore s = newStore()) {
            assertEquals(List.of(), s.uncertified(10));
            s.apply(create(1, always(new Action.Append(text("abc")))), 1, COLOR, 0);
            s.apply(update(OWNER, 2, when(new Predicate.CompareSize(Comparison.EQ, 0))), 2, COLOR, 1);
            s.apply(update(OWNER, 3, always(new Action.Truncate(1))), 3, COLOR, 7);
            assertEquals(java.util.Set.of(new ostore.store.Uncertified(AGUID, 1, COLOR, 0),
                    new ostore.store.Uncertified(AGUID, 2, COLOR, 7)), java.util.Set.copyOf(s.uncertified(10)));
            assertEquals(2, s.uncertifiedCount());
            assertEquals(List.of(new ostore.store.Uncertified(AGUID, 1, COLOR, 0)), s.uncertified(1),
                    "marks come in aguid, then seq order");
            assertEquals(List.of(new ostore.store.Uncertified(AGUID, 2, COLOR, 7)),
                    s.uncertified(new ostore.store.Uncertified(AGUID, 1, COLOR, 0), 5), "paged on after a mark");
            assertEquals(List.of(), s.uncertified(new ostore.store.Uncertified(AGUID, 2, COLOR, 7), 5));
            s.attachCertificate(AGUID, 2, new byte[] {2});
            assertEquals(List.of(new ostore.store.Uncertified(AGUID, 1, COLOR, 0)), s.uncertified(10));
            s.attachCertificate(AGUID, 1, new byte[] {1});
            s.attachCertificate(AGUID, 1, new byte[] {1, 1});
            assertEquals(List.of(), s.uncertified(10));
            assertEquals(0, s.uncertifiedCount());
            assertThrows(IllegalArgumentException.class, () -> s.uncertified(0));
        }
    }

    @Test
    void onlyAStoredVersionTakesACertificate() {
        try (VersionStore s = newStore()) {
            var e = assertThrows(IllegalArgumentException.class, () -> s.attachCertificate(AGUID, 1, new byte[] {1}));
            assertTrue(e.getMessage().endsWith("has no version 1 to certify"), e.getMessage());
            s.apply(create(1, always()), 1, COLOR, 0);
            assertThrows(IllegalArgumentException.class, () -> s.attachCertificate(AGUID, 2, new byte[] {1}));
            assertThrows(IllegalArgumentException.class, () -> s.attachCertificate(AGUID, 0, new byte[] {1}));
            var empty = assertThrows(IllegalArgumentException.class, () -> s.attachCertificate(AGUID, 1, new byte[0]));
            assertTrue(empty.getMessage().contains("certificate (0 bytes)"), empty.getMessage());
            assertEquals(Optional.empty(), s.certificate(AGUID, 1));
        }
    }

    @Test
    void aClosedStoreRefusesCalls() {
        VersionStore s = newStore();
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> s.read(AGUID, new Selector.Latest()));
        assertThrows(IllegalStateException.class, () -> s.apply(create(1, always()), 1, COLOR, 0));
        assertThrows(IllegalStateException.class, () -> s.certificate(AGUID, 1));
    }

    @Test
    void badArgumentsAreNamed() {
        try (VersionStore s = newStore()) {
            var e = assertThrows(IllegalArgumentException.class, () -> s.history(AGUID, -1, 0));
            assertTrue(e.getMessage().contains("fromIndex (-1)"), e.getMessage());
            for (int color : new int[] {-1, 256}) {
                var bad = assertThrows(IllegalArgumentException.class, () -> s.apply(create(1, always()), 1, color, 0));
                assertEquals("color (" + color + ") must be in 0..255", bad.getMessage());
                assertThrows(IllegalArgumentException.class, () -> s.appliedPosition(color));
            }
            assertEquals(Optional.empty(), s.read(AGUID, new Selector.Latest()), "a bad color changes nothing");
        }
    }
}
