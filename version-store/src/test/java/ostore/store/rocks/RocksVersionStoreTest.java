package ostore.store.rocks;

import static ostore.store.testing.Updates.AGUID;
import static ostore.store.testing.Updates.OWNER;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ostore.store.Action;
import ostore.store.Comparison;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.Predicate;
import ostore.store.Selector;
import ostore.store.VersionStore;
import ostore.store.testing.VersionStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** The contract on RocksDB, plus what only a disk store has: reopening, and older formats. */
class RocksVersionStoreTest extends VersionStoreContract {
    @TempDir
    Path dir;

    @Override
    protected VersionStore newStore() {
        return RocksVersionStore.open(dir, LIMITS);
    }

    @Test
    void everythingSurvivesCloseAndReopen() {
        Outcome.Committed last;
        List<HistoryEntry> history;
        try (RocksVersionStore s = RocksVersionStore.open(dir, LIMITS)) {
            s.apply(create(1, always(new Action.Append(text("persist me")))), 1, COLOR, 0);
            last = assertInstanceOf(Outcome.Committed.class,
                    s.apply(update(OWNER, 2, always(new Action.DeleteBlock(0))), 2, COLOR, 1));
            s.apply(update(OWNER, 3, when(new Predicate.CompareSize(Comparison.EQ, 0))), 3, COLOR, 2);
            s.apply(create("blue", 1, always()), 4, 255, 11);
            s.attachCertificate(AGUID, 2, new byte[] {7, 7});
            history = s.history(AGUID, 0, 0);
            s.sync();
        }
        try (RocksVersionStore s = RocksVersionStore.open(dir, LIMITS)) {
            assertEquals(List.of(2L, 11L, -1L), List.of(s.appliedPosition(COLOR), s.appliedPosition(255),
                    s.appliedPosition(0)));
            assertEquals(Optional.of(last.version()), s.read(AGUID, new Selector.Latest()));
            assertEquals(history, s.history(AGUID, 0, 0));
            assertEquals("ist me", content(s, last.version()));
            assertArrayEquals("pers".getBytes(StandardCharsets.US_ASCII),
                    s.block(s.read(AGUID, new Selector.BySeq(1)).orElseThrow().blocks().get(0).bguid()).orElseThrow());
            assertArrayEquals(new byte[] {7, 7}, s.certificate(AGUID, 2).orElseThrow());
            assertEquals(last, s.apply(update(OWNER, 2, always(new Action.DeleteBlock(0))), 9, COLOR, 3));
        }
    }

    /**
     * Format 1 kept one applied position for all colors, format 2 nonce records without a kind,
     * format 3 no journal; none was released, so they are refused with the reason, not converted.
     */
    @Test
    void anEarlierFormatIsRefusedWithTheReason() throws RocksDBException {
        assertRefusedAs((byte) 1, "has format 1, with one applied position for all colors, and this build reads"
                + " format 5; earlier formats were never released");
        assertRefusedAs((byte) 2, "has format 2, whose nonce records cannot say that an update was refused, and"
                + " this build reads format 5");
        assertRefusedAs((byte) 3, "has format 3, without the journal snapshots are served from, and this build"
                + " reads format 5");
        assertRefusedAs((byte) 6, "has format 6 and this build reads format 5");
    }

    /**
     * Format 4 had no uncertified marks: opening one converts it, marking exactly the versions its
     * journal names that have no certificate, and records format 5.
     */
    @Test
    void aFormat4StoreIsConvertedWithItsUncertifiedVersionsMarked() throws RocksDBException {
        try (RocksVersionStore s = RocksVersionStore.open(dir, LIMITS)) {
            s.apply(create(1, always(new Action.Append(text("one")))), 1, COLOR, 0);
            s.apply(update(OWNER, 2, always(new Action.Append(text("two")))), 2, COLOR, 1);
            s.apply(update(OWNER, 3, always(new Action.Append(text("three")))), 3, COLOR, 5);
            s.attachCertificate(AGUID, 2, new byte[] {2});
            s.sync();
        }
        writeFormat((byte) 4);
        dropUncertifiedMarks();
        try (RocksVersionStore s = RocksVersionStore.open(dir, LIMITS)) {
            assertEquals(List.of(new ostore.store.Uncertified(AGUID, 1, COLOR, 0),
                    new ostore.store.Uncertified(AGUID, 3, COLOR, 5)), s.uncertified(10));
        }
        try (RocksVersionStore s = RocksVersionStore.open(dir, LIMITS)) {
            assertEquals(2, s.uncertifiedCount(), "converted once, then opened as format 5");
            s.attachCertificate(AGUID, 3, new byte[] {3});
            s.attachCertificate(AGUID, 3, new byte[] {3, 3});
            assertEquals(1, s.uncertifiedCount(), "the count follows the marks");
            s.clearColor(COLOR);
            assertEquals(0, s.uncertifiedCount(), "and a cleared color's marks go with it");
        }
    }

    private void dropUncertifiedMarks() throws RocksDBException {
        List<ColumnFamilyDescriptor> all = new ArrayList<>();
        for (RocksHandles.Family f : RocksHandles.Family.values()) {
            all.add(new ColumnFamilyDescriptor(f.name));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.open(options, dir.toString(), all, handles)) {
            ColumnFamilyHandle marks = handles.get(RocksHandles.Family.UNCERTIFIED.ordinal());
            db.deleteRange(marks, new byte[0], StoreKeys.END);
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    private void assertRefusedAs(byte format, String expected) throws RocksDBException {
        try (RocksVersionStore s = RocksVersionStore.open(dir, LIMITS)) {
            s.sync();
        }
        writeFormat(format);
        var e = assertThrows(IllegalStateException.class, () -> RocksVersionStore.open(dir, LIMITS));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        writeFormat((byte) RocksVersionStore.STORE_FORMAT);
    }

    private void writeFormat(byte format) throws RocksDBException {
        List<ColumnFamilyDescriptor> all = new ArrayList<>();
        for (RocksHandles.Family f : RocksHandles.Family.values()) {
            all.add(new ColumnFamilyDescriptor(f.name));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.open(options, dir.toString(), all, handles)) {
            db.put(handles.get(RocksHandles.Family.META.ordinal()), StoreKeys.STORE_FORMAT, new byte[] {format});
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    /**
     * The installing mark is on disk from clearColor until finishInstall: a crash (here, a close
     * without finishing) part-way through an install leaves it, the caller starts over with
     * clearColor, and a finished install survives reopen with the source's digest and reads.
     */
    @Test
    void anInterruptedInstallIsMarkedAndStartsOver(@TempDir Path sourceDir) {
        try (RocksVersionStore source = RocksVersionStore.open(sourceDir, LIMITS)) {
            source.apply(create(1, always(new Action.Append(text("snapshot me")))), 1, COLOR, 0);
            source.apply(update(OWNER, 2, always(new Action.DeleteBlock(0))), 2, COLOR, 1);
            source.apply(update(OWNER, 3, when(new Predicate.CompareSize(Comparison.EQ, 0))), 3, COLOR, 2);
            source.apply(update(ostore.store.testing.Updates.WRITER, 4, always()), 4, COLOR, 3);
            try (RocksVersionStore s = RocksVersionStore.open(dir, LIMITS)) {
                s.apply(create(1, always(new Action.Append(text("stale")))), 1, COLOR, 0);
                s.clearColor(COLOR);
                s.install(COLOR, source.snapshot(COLOR, -1, 1, 1));
                assertEquals(0, s.appliedPosition(COLOR), "a page of one byte still holds one entry");
            }
            try (RocksVersionStore s = RocksVersionStore.open(dir, LIMITS)) {
                assertTrue(s.installing(COLOR), "the mark outlives the process");
                s.clearColor(COLOR);
                assertEquals(-1, s.appliedPosition(COLOR));
                assertEquals(Optional.empty(), s.read(AGUID, new Selector.Latest()));
                s.install(COLOR, source.snapshot(COLOR, -1, Long.MAX_VALUE, 1 << 20));
                s.finishInstall(COLOR);
            }
            try (RocksVersionStore s = RocksVersionStore.open(dir, LIMITS)) {
                assertEquals(false, s.installing(COLOR));
                assertEquals(source.storeDigest(COLOR), s.storeDigest(COLOR));
                assertEquals(source.history(AGUID, 0, 0), s.history(AGUID, 0, 0));
                assertEquals(source.read(AGUID, new Selector.Latest()), s.read(AGUID, new Selector.Latest()));
                assertEquals(source.appliedPosition(COLOR), s.appliedPosition(COLOR));
            }
        }
    }

    /** A burned nonce is on disk: after a reopen the same update is still refused, not committed. */
    @Test
    void aRefusalSurvivesReopen() {
        var early = update(ostore.store.testing.Updates.WRITER, 5, always(new Action.Append(text("late"))));
        Outcome refused;
        try (RocksVersionStore s = RocksVersionStore.open(dir, LIMITS)) {
            s.apply(create(1, always()), 1, COLOR, 0);
            refused = s.apply(early, 2, COLOR, 1);
            s.apply(update(OWNER, 2, always(new Action.SetAcl(
                    List.of(ostore.store.testing.Updates.WRITER.publicKey()), false))), 3, COLOR, 2);
            s.sync();
        }
        try (RocksVersionStore s = RocksVersionStore.open(dir, LIMITS)) {
            assertEquals(refused, s.apply(early, 4, COLOR, 3));
            assertEquals(2, s.read(AGUID, new Selector.Latest()).orElseThrow().root().seq());
        }
    }
}
