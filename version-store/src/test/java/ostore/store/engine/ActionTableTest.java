package ostore.store.engine;

import static ostore.store.testing.Updates.OWNER;
import static ostore.store.testing.Updates.always;
import static ostore.store.testing.Updates.create;
import static ostore.store.testing.Updates.text;
import static ostore.store.testing.Updates.update;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.store.Action;
import ostore.store.Limits;
import ostore.store.Outcome.Rejected;
import ostore.store.Outcome.Rejection;
import ostore.store.StoredVersion;
import ostore.store.testing.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every action at its boundaries, on a fixed object: blocks "aaaa" "bbbb" "cc", size 10. */
class ActionTableTest {
    private static final Limits FOUR_BYTE_BLOCKS = new Limits(4, 1 << 20, 64, 64, 64, 1 << 20);

    private static EngineHarness object() {
        EngineHarness h = new EngineHarness(FOUR_BYTE_BLOCKS);
        h.commit(create(1, always(new Action.Append(text("aaaabbbbcc")))));
        return h;
    }

    static Stream<Arguments> validActions() {
        return Stream.of(
                Arguments.of(new Action.ReplaceBlock(0, text("X")), "Xbbbbcc", "X|bbbb|cc"),
                Arguments.of(new Action.ReplaceBlock(2, text("YYYY")), "aaaabbbbYYYY", "aaaa|bbbb|YYYY"),
                Arguments.of(new Action.InsertBlock(0, text("X")), "Xaaaabbbbcc", "X|aaaa|bbbb|cc"),
                Arguments.of(new Action.InsertBlock(2, text("X")), "aaaabbbbXcc", "aaaa|bbbb|X|cc"),
                Arguments.of(new Action.InsertBlock(3, text("X")), "aaaabbbbccX", "aaaa|bbbb|cc|X"),
                Arguments.of(new Action.DeleteBlock(0), "bbbbcc", "bbbb|cc"),
                Arguments.of(new Action.DeleteBlock(2), "aaaabbbb", "aaaa|bbbb"),
                Arguments.of(new Action.Append(text("")), "aaaabbbbcc", "aaaa|bbbb|cc"),
                Arguments.of(new Action.Append(text("dddd")), "aaaabbbbccdddd", "aaaa|bbbb|cc|dddd"),
                Arguments.of(new Action.Append(text("ddddeeeef")), "aaaabbbbccddddeeeef", "aaaa|bbbb|cc|dddd|eeee|f"),
                Arguments.of(new Action.Truncate(0), "", ""),
                Arguments.of(new Action.Truncate(1), "a", "a"),
                Arguments.of(new Action.Truncate(6), "aaaabb", "aaaa|bb"),
                Arguments.of(new Action.Truncate(8), "aaaabbbb", "aaaa|bbbb"),
                Arguments.of(new Action.Truncate(10), "aaaabbbbcc", "aaaa|bbbb|cc"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("validActions")
    void validAction(Action action, String content, String layout) {
        EngineHarness h = object();
        List<BlockListHash.Entry> before = h.blocks();
        StoredVersion v = h.commit(update(OWNER, 2, always(action)));
        assertEquals(content, new String(h.content(), StandardCharsets.US_ASCII));
        assertEquals(layout, layout(h));
        assertEquals(content.length(), v.root().size());
        assertEquals(v.blocks().size(), v.root().blockCount());
        assertEquals(BlockListHash.root(v.blocks()), v.root().blocksRoot());
        assertSharesUnchangedBlocks(h, before, v.blocks());
    }

    /** A block whose bytes did not change keeps its BGUID; the BGUID is the hash of its bytes. */
    private static void assertSharesUnchangedBlocks(EngineHarness h, List<BlockListHash.Entry> before,
            List<BlockListHash.Entry> after) {
        for (BlockListHash.Entry e : after) {
            assertEquals(Bguid.ofBlock(h.read(e.bguid())), e.bguid());
            assertEquals(h.read(e.bguid()).length, e.length());
        }
        long kept = after.stream().filter(before::contains).count();
        long unchangedBytes = before.stream().filter(after::contains).count();
        assertEquals(unchangedBytes, kept);
    }

    private static String layout(EngineHarness h) {
        return String.join("|", h.blocks().stream()
                .map(e -> new String(h.read(e.bguid()), StandardCharsets.US_ASCII)).toList());
    }

    static Stream<Arguments> outOfRange() {
        return Stream.of(
                Arguments.of(new Action.ReplaceBlock(3, text("X")), "replace_block.index (3) must be < the block count (3)"),
                Arguments.of(new Action.InsertBlock(4, text("X")), "insert_block.index (4) must be <= the block count (3)"),
                Arguments.of(new Action.DeleteBlock(3), "delete_block.index (3) must be < the block count (3)"),
                Arguments.of(new Action.Truncate(11), "truncate.size (11) exceeds the current size (10)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outOfRange")
    void outOfRangeRejectsTheWholeUpdate(Action bad, String detail) {
        EngineHarness h = object();
        StoredVersion before = h.latest().orElseThrow();
        Execution e = h.run(update(OWNER, 2, always(new Action.DeleteBlock(0), new Action.InsertBlock(0, text("aaaa")),
                bad)));
        Rejected r = assertInstanceOf(Execution.Reject.class, e).rejected();
        assertEquals(Rejection.INVALID_ACTION, r.reason());
        assertTrue(r.message().startsWith("clauses[0].actions[2]."), r.message());
        assertTrue(r.message().endsWith(detail), r.message());
        assertEquals(before, h.latest().orElseThrow());
    }

    @Test
    void actionsApplyInOrderToTheEvolvingList() {
        EngineHarness h = object();
        h.commit(update(OWNER, 2, always(new Action.InsertBlock(3, text("d")), new Action.ReplaceBlock(3, text("e")),
                new Action.DeleteBlock(0), new Action.Truncate(5))));
        assertEquals("bbbb|c", layout(h));
    }

    @Test
    void truncateCutsABlockMadeEarlierInTheSameUpdate() {
        EngineHarness h = object();
        h.commit(update(OWNER, 2, always(new Action.Append(text("dddd")), new Action.Truncate(12))));
        assertEquals("aaaa|bbbb|cc|dd", layout(h));
    }

    @Test
    void aBlockMadeAndDeletedInOneUpdateIsNotStored() {
        EngineHarness h = object();
        Execution e = h.run(update(OWNER, 2, always(new Action.Append(text("dddd")), new Action.DeleteBlock(3))));
        assertEquals(0, assertInstanceOf(Execution.Commit.class, e).newBlocks().size());
    }

    @Test
    void theBlockLimitRejects() {
        EngineHarness h = new EngineHarness(new Limits(4, 1 << 20, 64, 64, 64, 3));
        h.commit(create(1, always(new Action.Append(text("aaaabbbbcccc")))));
        Execution e = h.run(update(OWNER, 2, always(new Action.InsertBlock(0, text("x")))));
        Rejected r = assertInstanceOf(Execution.Reject.class, e).rejected();
        assertEquals(Rejection.LIMIT_EXCEEDED, r.reason());
        assertEquals("clauses[0].actions[0]: block count (4) would exceed the maximum of 3", r.message());
    }

    @Test
    void aCommitLinksToItsPredecessorAndCarriesTheDigest() {
        EngineHarness h = object();
        StoredVersion first = h.latest().orElseThrow();
        var u = update(OWNER, 2, always(new Action.DeleteBlock(1)));
        StoredVersion second = h.commit(u);
        assertEquals(2, second.root().seq());
        assertEquals(first.vguid(), second.root().predecessor().orElseThrow());
        assertEquals(second.root().vguid(), second.vguid());
        assertEquals(u.digest(), second.root().updateDigest());
        assertEquals(first.root().acl(), second.root().acl());
        assertEquals(first.blocks().get(0), second.blocks().get(0));
        assertEquals(first.blocks().get(2), second.blocks().get(1));
    }

    @Test
    void aVersionIsNeverOlderThanItsPredecessor() {
        UpdateEngine engine = new UpdateEngine(FOUR_BYTE_BLOCKS);
        EngineHarness h = object();
        StoredVersion first = h.latest().orElseThrow();
        Execution e = engine.execute(h.latest(), update(OWNER, 2, always(new Action.Truncate(0))),
                first.root().timestampMicros() - 500, h::read);
        assertEquals(first.root().timestampMicros(),
                assertInstanceOf(Execution.Commit.class, e).version().root().timestampMicros());
        Execution later = engine.execute(h.latest(), update(OWNER, 3, always(new Action.Truncate(0))),
                first.root().timestampMicros() + 500, h::read);
        assertEquals(first.root().timestampMicros() + 500,
                assertInstanceOf(Execution.Commit.class, later).version().root().timestampMicros());
    }

    @Test
    void appendSplitsIntoMaximumSizeBlocksAndLeavesTheOldLastBlock() {
        EngineHarness h = object();
        BlockListHash.Entry oldLast = h.blocks().get(2);
        byte[] nine = "123456789".getBytes(StandardCharsets.US_ASCII);
        h.commit(update(OWNER, 2, always(new Action.Append(Action.Data.of(nine)))));
        assertEquals(oldLast, h.blocks().get(2));
        assertEquals(List.of(4, 4, 2, 4, 4, 1), h.blocks().stream().map(BlockListHash.Entry::length).toList());
        assertArrayEquals("aaaabbbbcc123456789".getBytes(StandardCharsets.US_ASCII), h.content());
    }
}
