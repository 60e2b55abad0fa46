package ostore.store.rocks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.Vguid;
import ostore.store.HistoryEntry;
import ostore.store.Limits;
import ostore.store.StoredVersion;
import ostore.store.Uncertified;
import ostore.store.VersionStore;
import ostore.store.core.AbstractVersionStore;
import ostore.store.core.Change;
import ostore.store.core.JournalEntry;
import ostore.store.core.NonceRecord;
import ostore.store.core.RecordCodec;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * {@link VersionStore} on RocksDB. Each {@link #apply} is one atomic write batch that carries its
 * color's new applied position, so after a crash the store holds either all of an update or none
 * of it, and each color's position tells that color's log where to resume.
 *
 * <p>Durability: batches go to RocksDB's write-ahead log without an fsync each. The shared log in
 * front of the store is durable and replays every position after {@link #appliedPosition(int)} of
 * each color on restart, so an update lost from an un-synced WAL tail is executed again,
 * deterministically, with the same result. {@link #sync()} fsyncs the WAL; only after it may the
 * log be trimmed. A certificate is one more unsynced write, covered by the same sync: the ring must
 * not count on a certificate attached after the last sync surviving a crash.
 *
 * <p>Threads: {@link #apply} runs concurrently for different colors, one call per color at a time,
 * as the contract allows: their batches touch different objects and different position keys, and
 * a block both store is the same bytes under the same key. Reads and certificate calls may run
 * concurrently with applies and with each other. A read sees each update wholly or not at all.
 */
public final class RocksVersionStore extends AbstractVersionStore {
    /**
     * The layout of keys and index values; recorded at creation and checked on open. Format 2 keeps
     * an applied position per color where format 1 kept one; format 3 gives each nonce record a
     * kind, so a nonce can be burned by an update refused at execution as well as name a history
     * entry; format 4 adds the journal column family and each color's store digest and
     * installing mark, for snapshots; format 5 adds the uncertified column family, a mark per
     * version whose certificate the ring has not attached yet (a format 4 store is converted on
     * open: its journal names every version with its color and position).
     */
    public static final int STORE_FORMAT = 5;
    /** Journal entries erased per write batch when a color is cleared. */
    private static final int ERASE_BATCH = 1024;

    private final RocksHandles db;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    /**
     * The number of uncertified marks, counted once at open and kept with every write that adds or
     * removes one, so {@code ring status} never walks the marks (and the deletions they leave).
     */
    private final java.util.concurrent.atomic.AtomicLong uncertified;

    private RocksVersionStore(RocksHandles db, Limits limits) {
        super(limits, appliedPositions(db), storeDigests(db));
        this.db = db;
        this.uncertified = new java.util.concurrent.atomic.AtomicLong(countMarks(db));
    }

    private static long countMarks(RocksHandles db) {
        long[] count = {0};
        db.scanRange(RocksHandles.Family.UNCERTIFIED, new byte[0], StoreKeys.END, (key, value) -> {
            count[0]++;
            return true;
        });
        return count[0];
    }

    private static long[] appliedPositions(RocksHandles db) {
        long[] positions = new long[MAX_COLORS];
        for (int color = 0; color < MAX_COLORS; color++) {
            positions[color] = db.getMeta(StoreKeys.appliedPosition(color)).map(StoreKeys::i64).orElse(-1L);
        }
        return positions;
    }

    private static Hash32[] storeDigests(RocksHandles db) {
        Hash32[] digests = new Hash32[MAX_COLORS];
        for (int color = 0; color < MAX_COLORS; color++) {
            digests[color] = db.getMeta(StoreKeys.storeDigest(color)).map(Hash32::of).orElse(EMPTY_DIGEST);
        }
        return digests;
    }

    /** Opens the store in {@code dir}, creating it if it does not exist. */
    public static RocksVersionStore open(Path dir, Limits limits) {
        if (dir == null || limits == null) {
            throw new IllegalArgumentException("dir (" + dir + ") and limits (" + limits + ") must be non-null");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the store directory " + dir, e);
        }
        RocksHandles handles = RocksHandles.open(dir);
        try {
            checkFormat(handles, dir);
            return new RocksVersionStore(handles, limits);
        } catch (RuntimeException e) {
            handles.close();
            throw e;
        }
    }

    private static void checkFormat(RocksHandles handles, Path dir) {
        Optional<byte[]> format = handles.getMeta(StoreKeys.STORE_FORMAT);
        if (format.isEmpty()) {
            handles.putMetaSynced(StoreKeys.STORE_FORMAT, new byte[] {STORE_FORMAT});
            return;
        }
        byte[] found = format.get();
        if (found.length == 1 && found[0] == STORE_FORMAT) {
            return;
        }
        if (found.length == 1 && found[0] == 4) {
            markUncertified(handles);
            handles.putMetaSynced(StoreKeys.STORE_FORMAT, new byte[] {STORE_FORMAT});
            System.getLogger(RocksVersionStore.class.getName()).log(System.Logger.Level.INFO,
                    "store {0}: converted from format 4 to 5 (versions without a certificate are now tracked)", dir);
            return;
        }
        String was = found.length != 1 ? Arrays.toString(found) : switch (found[0]) {
            case 1 -> "1, with one applied position for all colors,";
            case 2 -> "2, whose nonce records cannot say that an update was refused,";
            case 3 -> "3, without the journal snapshots are served from,";
            default -> Integer.toString(found[0]);
        };
        throw new IllegalStateException("store " + dir + " has format " + was + " and this build reads format "
                + STORE_FORMAT + (found.length == 1 && found[0] < STORE_FORMAT
                        ? "; earlier formats were never released and are not converted: delete the directory to"
                                + " start afresh" : ""));
    }

    /**
     * Format 4 to 5: every version the journal names that has no certificate gets its mark. One
     * batch per color, synced; the format is recorded only after, so a crash part-way converts again.
     */
    private static void markUncertified(RocksHandles handles) {
        for (int color = 0; color < MAX_COLORS; color++) {
            int c = color;
            try (WriteBatch batch = new WriteBatch()) {
                handles.scanRange(RocksHandles.Family.JOURNAL, StoreKeys.journal(color, 0), StoreKeys.journalEnd(color),
                        (key, value) -> {
                            JournalEntry e = JournalEntry.decode(value);
                            e.version().ifPresent(v -> {
                                byte[] k = StoreKeys.certificate(v.root().aguid(), v.root().seq());
                                if (handles.get(RocksHandles.Family.CERTIFICATES, k).isEmpty()) {
                                    handles.put(batch, RocksHandles.Family.UNCERTIFIED, k,
                                            StoreKeys.uncertified(c, StoreKeys.trailingLong(key)));
                                }
                            });
                            return true;
                        });
                handles.write(batch);
            }
        }
        handles.syncWal();
    }

    /** One batch: a repeated nonce still advances the color's applied position. */
    @Override
    protected void persist(Change change, int color, long position, Journaled journaled) {
        try (WriteBatch batch = new WriteBatch()) {
            if (journaled != null) {
                db.put(batch, RocksHandles.Family.JOURNAL, StoreKeys.journal(color, position), journaled.entry());
                db.putMeta(batch, StoreKeys.storeDigest(color), journaled.digest().toBytes());
            }
            change.version().ifPresent(v -> {
                putVersion(v, change.newBlocks(), batch);
                db.put(batch, RocksHandles.Family.UNCERTIFIED, StoreKeys.certificate(v.root().aguid(), v.root().seq()),
                        StoreKeys.uncertified(color, position));
            });
            change.entry().ifPresent(h -> putHistory(h, batch));
            change.refusal().ifPresent(r -> db.put(batch, RocksHandles.Family.NONCES,
                    StoreKeys.nonce(r.aguid(), r.writer(), r.nonce()), RecordCodec.encodeNonceRefused(r)));
            db.putMeta(batch, StoreKeys.appliedPosition(color), StoreKeys.i64(position));
            db.write(batch);
        }
        if (change.version().isPresent()) {
            uncertified.incrementAndGet();
        }
    }

    private void putVersion(StoredVersion v, Map<Bguid, byte[]> newBlocks, WriteBatch batch) {
        Aguid aguid = v.root().aguid();
        long seq = v.root().seq();
        for (Map.Entry<Bguid, byte[]> block : newBlocks.entrySet()) {
            db.putBlockIfAbsent(batch, block.getKey(), block.getValue());
        }
        db.put(batch, RocksHandles.Family.VERSIONS, StoreKeys.version(aguid, seq), RecordCodec.encodeVersion(v));
        db.put(batch, RocksHandles.Family.VGUIDS, v.vguid().toBytes(), StoreKeys.version(aguid, seq));
        db.put(batch, RocksHandles.Family.AS_OF, StoreKeys.asOf(aguid, v.root().timestampMicros(), seq), new byte[0]);
    }

    private void putHistory(HistoryEntry entry, WriteBatch batch) {
        db.put(batch, RocksHandles.Family.HISTORY, StoreKeys.history(entry.aguid(), entry.index()),
                RecordCodec.encodeHistory(entry));
        db.put(batch, RocksHandles.Family.NONCES, StoreKeys.nonce(entry.aguid(), entry.writer(), entry.nonce()),
                RecordCodec.encodeNonceExecuted(entry.index()));
    }

    @Override
    protected void scanJournal(int color, long after, long upTo, JournalVisitor visitor) {
        if (upTo <= after) {
            return;
        }
        byte[] to = upTo == Long.MAX_VALUE ? StoreKeys.journalEnd(color) : StoreKeys.journal(color, upTo + 1);
        db.scanRange(RocksHandles.Family.JOURNAL, StoreKeys.journal(color, Math.max(0, after + 1)), to,
                (key, value) -> visitor.visit(StoreKeys.trailingLong(key), value));
    }

    /**
     * The mark is synced first; then the journal is walked in batches, each deleting the records
     * its entries name together with those entries, so a crash part-way leaves the mark and the
     * not yet erased entries, and erasing again finishes the job.
     */
    @Override
    protected void eraseColor(int color) {
        db.putMetaSynced(StoreKeys.installing(color), new byte[] {1});
        while (true) {
            List<byte[]> keys = new ArrayList<>();
            List<JournalEntry> entries = new ArrayList<>();
            db.scanRange(RocksHandles.Family.JOURNAL, StoreKeys.journal(color, 0), StoreKeys.journalEnd(color),
                    (key, value) -> {
                        keys.add(key);
                        entries.add(JournalEntry.decode(value));
                        return keys.size() < ERASE_BATCH;
                    });
            try (WriteBatch batch = new WriteBatch()) {
                for (int i = 0; i < keys.size(); i++) {
                    eraseRecords(entries.get(i), batch);
                    db.delete(batch, RocksHandles.Family.JOURNAL, keys.get(i));
                }
                if (keys.size() < ERASE_BATCH) {
                    db.delete(batch, RocksHandles.Family.META, StoreKeys.appliedPosition(color));
                    db.delete(batch, RocksHandles.Family.META, StoreKeys.storeDigest(color));
                }
                db.write(batch);
            }
            if (keys.size() < ERASE_BATCH) {
                db.syncWal();
                // Rare (a snapshot install): count the marks again rather than track each erased one.
                uncertified.set(countMarks(db));
                return;
            }
        }
    }

    private void eraseRecords(JournalEntry e, WriteBatch batch) {
        Aguid aguid = e.aguid();
        e.history().ifPresent(h -> {
            db.delete(batch, RocksHandles.Family.HISTORY, StoreKeys.history(aguid, h.index()));
            db.delete(batch, RocksHandles.Family.NONCES, StoreKeys.nonce(aguid, h.writer(), h.nonce()));
        });
        e.refusal().ifPresent(r -> db.delete(batch, RocksHandles.Family.NONCES, StoreKeys.nonce(aguid, r.writer(),
                r.nonce())));
        e.version().ifPresent(v -> {
            long seq = v.root().seq();
            db.delete(batch, RocksHandles.Family.VERSIONS, StoreKeys.version(aguid, seq));
            db.delete(batch, RocksHandles.Family.VGUIDS, v.vguid().toBytes());
            db.delete(batch, RocksHandles.Family.AS_OF, StoreKeys.asOf(aguid, v.root().timestampMicros(), seq));
            db.delete(batch, RocksHandles.Family.CERTIFICATES, StoreKeys.certificate(aguid, seq));
            db.delete(batch, RocksHandles.Family.UNCERTIFIED, StoreKeys.certificate(aguid, seq));
        });
    }

    @Override
    protected boolean isInstalling(int color) {
        return db.getMeta(StoreKeys.installing(color)).isPresent();
    }

    @Override
    protected void endInstalling(int color) {
        db.deleteMetaSynced(StoreKeys.installing(color));
    }

    @Override
    protected long historyLength(Aguid aguid) {
        return db.lastKeyWithPrefix(RocksHandles.Family.HISTORY, aguid).map(k -> StoreKeys.trailingLong(k) + 1)
                .orElse(0L);
    }

    @Override
    protected Optional<StoredVersion> latestVersion(Aguid aguid) {
        return db.lastKeyWithPrefix(RocksHandles.Family.VERSIONS, aguid)
                .flatMap(key -> versionAt(aguid, StoreKeys.trailingLong(key)));
    }

    @Override
    protected Optional<StoredVersion> versionAt(Aguid aguid, long seq) {
        return db.get(RocksHandles.Family.VERSIONS, StoreKeys.version(aguid, seq)).map(RecordCodec::decodeVersion);
    }

    @Override
    protected Optional<StoredVersion> versionNamed(Aguid aguid, Vguid vguid) {
        return db.get(RocksHandles.Family.VGUIDS, vguid.toBytes())
                .filter(key -> StoreKeys.hasPrefix(key, aguid))
                .flatMap(key -> versionAt(aguid, StoreKeys.trailingLong(key)));
    }

    @Override
    protected Optional<StoredVersion> versionAsOf(Aguid aguid, long timestampMicros) {
        return db.lastKeyAtOrBefore(RocksHandles.Family.AS_OF, aguid,
                        StoreKeys.asOf(aguid, timestampMicros, Long.MAX_VALUE))
                .flatMap(key -> versionAt(aguid, StoreKeys.trailingLong(key)));
    }

    @Override
    protected Optional<byte[]> blockBytes(Bguid bguid) {
        return db.get(RocksHandles.Family.BLOCKS, bguid.toBytes());
    }

    @Override
    protected boolean hasBlock(Bguid bguid) {
        return db.hasBlock(bguid);
    }

    /** One batch of its own, unsynced like an apply's: a staged block is safe to lose with the WAL tail. */
    @Override
    protected void storeBlock(Bguid bguid, byte[] bytes) {
        try (WriteBatch batch = new WriteBatch()) {
            db.putBlockIfAbsent(batch, bguid, bytes);
            db.write(batch);
        }
    }

    @Override
    protected List<HistoryEntry> historyRange(Aguid aguid, long fromIndex, long max) {
        List<HistoryEntry> out = new ArrayList<>();
        db.scanPrefix(RocksHandles.Family.HISTORY, aguid, StoreKeys.history(aguid, fromIndex), (key, value) -> {
            out.add(RecordCodec.decodeHistory(aguid, StoreKeys.trailingLong(key), value));
            return out.size() < max;
        });
        return out;
    }

    @Override
    protected Optional<NonceRecord> nonceRecord(Aguid aguid, PublicKey writer, long nonce) {
        return db.get(RocksHandles.Family.NONCES, StoreKeys.nonce(aguid, writer, nonce))
                .map(value -> RecordCodec.decodeNonce(aguid, writer, nonce, value, index -> RecordCodec.decodeHistory(
                        aguid, index, db.get(RocksHandles.Family.HISTORY, StoreKeys.history(aguid, index)).orElseThrow(
                                () -> new IllegalStateException("nonce index names missing history entry " + index)))));
    }

    /** The bytes are opaque to the store, so they are kept as given, without a format byte of ours. */
    @Override
    protected void storeCertificate(Aguid aguid, long seq, byte[] certificate) {
        try (WriteBatch batch = new WriteBatch()) {
            byte[] key = StoreKeys.certificate(aguid, seq);
            boolean marked = db.get(RocksHandles.Family.UNCERTIFIED, key).isPresent();
            db.put(batch, RocksHandles.Family.CERTIFICATES, key, certificate);
            db.delete(batch, RocksHandles.Family.UNCERTIFIED, key);
            db.write(batch);
            if (marked) {
                uncertified.decrementAndGet();
            }
        }
    }

    @Override
    protected List<Uncertified> scanUncertified(Uncertified after, int max) {
        List<Uncertified> out = new ArrayList<>();
        byte[] from = after == null ? new byte[0] : StoreKeys.certificate(after.aguid(), after.seq() + 1);
        db.scanRange(RocksHandles.Family.UNCERTIFIED, from, StoreKeys.END, (key, value) -> {
            out.add(StoreKeys.uncertified(key, value));
            return out.size() < max;
        });
        return out;
    }

    @Override
    protected long countUncertified() {
        return uncertified.get();
    }

    @Override
    protected Optional<byte[]> loadCertificate(Aguid aguid, long seq) {
        return db.get(RocksHandles.Family.CERTIFICATES, StoreKeys.certificate(aguid, seq));
    }

    @Override
    protected void makeDurable() {
        db.syncWal();
    }

    /** Waits for running calls to finish, then closes RocksDB; later calls fail. Idempotent. */
    @Override
    public void close() {
        Lock exclusive = lifecycle.writeLock();
        exclusive.lock();
        try {
            if (!closed) {
                closed = true;
                db.close();
            }
        } finally {
            exclusive.unlock();
        }
    }

    /** Native handles must not be used after close, so every call holds the shared lock. */
    @Override
    protected <T> T whileOpen(Supplier<T> call) {
        Lock shared = lifecycle.readLock();
        shared.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the version store is closed");
            }
            return call.get();
        } finally {
            shared.unlock();
        }
    }

    static RuntimeException failure(String what, RocksDBException e) {
        return new IllegalStateException("RocksDB failed to " + what + ": " + e.getMessage(), e);
    }
}
