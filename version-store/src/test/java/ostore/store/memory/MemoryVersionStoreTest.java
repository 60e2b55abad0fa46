package ostore.store.memory;

import static ostore.store.testing.Updates.AGUID;
import static ostore.store.testing.Updates.OWNER;
import static ostore.store.testing.Updates.always;
import static ostore.store.testing.Updates.create;
import static ostore.store.testing.Updates.text;
import static ostore.store.testing.Updates.update;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import ostore.crypto.Bguid;
import ostore.store.Action;
import ostore.store.Outcome;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;
import ostore.store.testing.VersionStoreContract;
import org.junit.jupiter.api.Test;

/** The contract in memory, plus the crash model the ring's simulator relies on. */
class MemoryVersionStoreTest extends VersionStoreContract {
    @Override
    protected VersionStore newStore() {
        return new MemoryVersionStore(LIMITS);
    }

    @Test
    void aCrashKeepsExactlyWhatTheLastSyncMadeDurable() {
        MemoryVersionStore s = new MemoryVersionStore(LIMITS);
        StoredVersion synced = committed(s.apply(create(1, always(new Action.Append(text("keep")))), 1, COLOR, 0));
        s.attachCertificate(AGUID, 1, new byte[] {1});
        s.sync();
        StoredVersion lost = committed(
                s.apply(update(OWNER, 2, always(new Action.Append(text("lost!")))), 2, COLOR, 1));
        s.attachCertificate(AGUID, 1, new byte[] {2});
        s.attachCertificate(AGUID, 2, new byte[] {3});
        MemoryVersionStore after = s.crashed();
        assertEquals(0, after.appliedPosition(COLOR));
        assertEquals(Optional.of(synced), after.read(AGUID, new Selector.Latest()));
        assertEquals(Optional.empty(), after.read(AGUID, new Selector.ByVguid(lost.vguid())));
        assertEquals(1, after.history(AGUID, 0, 0).size());
        assertEquals(Optional.empty(), after.findByNonce(AGUID, OWNER.publicKey(), 2));
        assertArrayEquals(new byte[] {1}, after.certificate(AGUID, 1).orElseThrow(), "the replaced certificate is back");
        assertEquals(Optional.empty(), after.certificate(AGUID, 2));
        assertEquals(List.of(), newBlocks(lost, synced).stream().filter(b -> after.block(b).isPresent()).toList());
        assertEquals("keep", content(after, synced));
    }

    /** A certificate attached after the last sync is lost with a crash, and its version is listed again. */
    @Test
    void aCrashBringsBackTheUncertifiedMarkOfALostCertificate() {
        MemoryVersionStore s = new MemoryVersionStore(LIMITS);
        s.apply(create(1, always(new Action.Append(text("keep")))), 1, COLOR, 0);
        s.sync();
        s.attachCertificate(AGUID, 1, new byte[] {1});
        assertEquals(0, s.uncertifiedCount());
        MemoryVersionStore after = s.crashed();
        assertEquals(List.of(new ostore.store.Uncertified(AGUID, 1, COLOR, 0)), after.uncertified(5));
    }

    /** A nonce burned after the last sync is free again after a crash, as the log replays its update. */
    @Test
    void aCrashUndoesARefusalMadeAfterTheLastSync() {
        MemoryVersionStore s = new MemoryVersionStore(LIMITS);
        s.apply(create(1, always()), 1, COLOR, 0);
        s.sync();
        var truncate = update(OWNER, 2, always(new Action.Truncate(3)));
        assertEquals(Outcome.Rejection.INVALID_ACTION,
                assertInstanceOf(Outcome.Rejected.class, s.apply(truncate, 2, COLOR, 1)).reason());
        MemoryVersionStore after = s.crashed();
        assertEquals(Optional.empty(), after.precheck(update(OWNER, 2, always())), "nonce 2 is free again");
    }

    @Test
    void aCrashKeepsEachColorsPositionAsOfTheLastSync() {
        MemoryVersionStore s = new MemoryVersionStore(LIMITS);
        s.apply(create(1, always()), 1, COLOR, 3);
        s.apply(create("blue", 1, always()), 2, 200, 8);
        s.sync();
        s.apply(create(2, always()), 3, COLOR, 4);
        s.apply(create("green", 1, always()), 4, 0, 0);
        MemoryVersionStore after = s.crashed();
        assertEquals(List.of(3L, 8L, -1L), List.of(after.appliedPosition(COLOR), after.appliedPosition(200),
                after.appliedPosition(0)));
    }

    @Test
    void theSameUpdatesReplayedAfterACrashGiveTheSameOutcomes() {
        MemoryVersionStore s = new MemoryVersionStore(LIMITS);
        s.apply(create(1, always(new Action.Append(text("abc")))), 1, COLOR, 0);
        s.sync();
        var next = update(OWNER, 2, always(new Action.Truncate(1)));
        Outcome first = s.apply(next, 2, COLOR, 1);
        MemoryVersionStore after = s.crashed();
        assertEquals(first, after.apply(next, 2, COLOR, after.appliedPosition(COLOR) + 1));
        assertEquals(1, after.appliedPosition(COLOR));
    }

    @Test
    void aCrashBeforeAnySyncLeavesAnEmptyStore() {
        MemoryVersionStore s = new MemoryVersionStore(LIMITS);
        s.apply(create(1, always(new Action.Append(text("gone")))), 1, COLOR, 0);
        MemoryVersionStore after = s.crashed();
        assertEquals(-1, after.appliedPosition(COLOR));
        assertEquals(Optional.empty(), after.read(AGUID, new Selector.Latest()));
        assertEquals(List.of(), after.history(AGUID, 0, 0));
    }

    @Test
    void aCrashedStoreIsRetiredAndItsSuccessorIsNot() {
        MemoryVersionStore s = new MemoryVersionStore(LIMITS);
        s.apply(create(1, always()), 1, COLOR, 0);
        s.sync();
        MemoryVersionStore after = s.crashed();
        var e = assertThrows(IllegalStateException.class, () -> s.read(AGUID, new Selector.Latest()));
        assertTrue(e.getMessage().contains("crashed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> s.apply(update(OWNER, 2, always()), 2, COLOR, 1));
        assertThrows(IllegalStateException.class, s::sync);
        assertThrows(IllegalStateException.class, s::crashed);
        assertEquals(1, after.crashed().read(AGUID, new Selector.Latest()).orElseThrow().root().seq());
    }

    @Test
    void aCrashAfterCloseStillLosesWhatWasNotSynced() {
        MemoryVersionStore s = new MemoryVersionStore(LIMITS);
        s.apply(create(1, always()), 1, COLOR, 0);
        s.sync();
        s.apply(update(OWNER, 2, always()), 2, COLOR, 1);
        s.close();
        try (MemoryVersionStore after = s.crashed()) {
            assertEquals(0, after.appliedPosition(COLOR));
            assertEquals(1, after.read(AGUID, new Selector.Latest()).orElseThrow().root().seq());
        }
    }

    /** Blocks {@code v} names that {@code earlier} does not. */
    private static List<Bguid> newBlocks(StoredVersion v, StoredVersion earlier) {
        return v.blocks().stream().map(e -> e.bguid())
                .filter(b -> earlier.blocks().stream().noneMatch(e -> e.bguid().equals(b))).toList();
    }
}
