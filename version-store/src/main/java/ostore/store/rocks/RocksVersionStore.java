package ostore.store.rocks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.PublicKey;
import ostore.store.AuthenticatedUpdate;
import ostore.store.HistoryEntry;
import ostore.store.InvalidUpdateException;
import ostore.store.Limits;
import ostore.store.Outcome;
import ostore.store.Outcome.Rejected;
import ostore.store.Outcome.Rejection;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.UpdateValidator;
import ostore.store.VersionStore;
import ostore.store.engine.Execution;
import ostore.store.engine.UpdateEngine;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * {@link VersionStore} on RocksDB. Each {@link #apply} is one atomic write batch that carries the
 * new applied log position, so after a crash the store holds either all of an update or none of
 * it, and the position tells the log where to resume.
 *
 * <p>Durability: batches go to RocksDB's write-ahead log without an fsync each. The shared log in
 * front of the store is durable and replays every position after {@link #appliedPosition()} on
 * restart, so an update lost from an un-synced WAL tail is executed again, deterministically, with
 * the same result. {@link #sync()} fsyncs the WAL; only after it may the log be trimmed.
 *
 * <p>Threads: {@link #apply} is called from one thread at a time; reads may run concurrently with
 * it and with each other. A read sees each update wholly or not at all.
 */
public final class RocksVersionStore implements VersionStore {
    /** The layout of keys and index values; recorded at creation and checked on open. */
    public static final int STORE_FORMAT = 1;

    private final RocksHandles db;
    private final UpdateEngine engine;
    private final Limits limits;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile long appliedPosition;
    private boolean closed;

    private RocksVersionStore(RocksHandles db, Limits limits) {
        this.db = db;
        this.limits = limits;
        this.engine = new UpdateEngine(limits);
        this.appliedPosition = db.getMeta(StoreKeys.APPLIED_POSITION).map(StoreKeys::i64).orElse(-1L);
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
        } else if (format.get().length != 1 || format.get()[0] != STORE_FORMAT) {
            throw new IllegalStateException("store " + dir + " has format " + java.util.Arrays.toString(format.get())
                    + "; this build reads format " + STORE_FORMAT);
        }
    }

    @Override
    public Outcome apply(AuthenticatedUpdate update, long timestampMicros, long logPosition) {
        if (update == null) {
            throw new IllegalArgumentException("update must be non-null");
        }
        return underOpen(() -> {
            if (logPosition <= appliedPosition) {
                throw new IllegalStateException("logPosition (" + logPosition
                        + ") must exceed the applied position (" + appliedPosition + "): the log replayed twice");
            }
            try (WriteBatch batch = new WriteBatch()) {
                Outcome outcome = execute(update, timestampMicros, batch);
                db.putMeta(batch, StoreKeys.APPLIED_POSITION, StoreKeys.i64(logPosition));
                db.write(batch);
                appliedPosition = logPosition;
                return outcome;
            }
        });
    }

    private Outcome execute(AuthenticatedUpdate u, long timestampMicros, WriteBatch batch) {
        Optional<HistoryEntry> earlier = findByNonceOpen(u.update().aguid(), u.writer(), u.update().nonce());
        if (earlier.isPresent()) {
            return answerAgain(earlier.get(), u);
        }
        Optional<StoredVersion> latest = latestOpen(u.update().aguid());
        return switch (engine.execute(latest, u, timestampMicros, db::requireBlock)) {
            case Execution.Commit c -> recordCommit(c, u, batch);
            case Execution.Abort a -> recordAbort(a, latest, u, batch);
            case Execution.Reject r -> r.rejected();
        };
    }

    /** The same nonce again: the earlier outcome if it is the same update, a refusal otherwise. */
    private Outcome answerAgain(HistoryEntry earlier, AuthenticatedUpdate u) {
        if (!earlier.updateDigest().equals(u.digest())) {
            return new Rejected(Rejection.NONCE_REUSED, "nonce " + Long.toUnsignedString(u.update().nonce())
                    + " of writer " + u.writer() + " on object " + u.update().aguid() + " was used by update "
                    + earlier.updateDigest() + ", not " + u.digest());
        }
        Optional<StoredVersion> version = earlier.seq() == 0 ? Optional.empty()
                : readOpen(earlier.aguid(), new Selector.BySeq(earlier.seq()));
        if (earlier.committed()) {
            return new Outcome.Committed(version.orElseThrow(() -> new IllegalStateException(
                    "history " + earlier + " names a version that is missing")), earlier);
        }
        return new Outcome.Aborted(version, earlier);
    }

    private Outcome recordCommit(Execution.Commit c, AuthenticatedUpdate u, WriteBatch batch) {
        StoredVersion v = c.version();
        var aguid = v.root().aguid();
        for (Map.Entry<Bguid, byte[]> block : c.newBlocks().entrySet()) {
            db.putBlockIfAbsent(batch, block.getKey(), block.getValue());
        }
        db.put(batch, RocksHandles.Family.VERSIONS, StoreKeys.version(aguid, v.root().seq()), RecordCodec.encodeVersion(v));
        db.put(batch, RocksHandles.Family.VGUIDS, v.vguid().toBytes(), StoreKeys.version(aguid, v.root().seq()));
        db.put(batch, RocksHandles.Family.AS_OF, StoreKeys.asOf(aguid, v.root().timestampMicros(), v.root().seq()),
                new byte[0]);
        HistoryEntry entry = new HistoryEntry(aguid, nextHistoryIndex(aguid), true, u.digest(), u.writer(),
                u.update().nonce(), v.root().seq(), Optional.of(v.vguid()), v.root().timestampMicros(),
                c.clauseIndex(), "");
        recordHistory(entry, batch);
        return new Outcome.Committed(v, entry);
    }

    private Outcome recordAbort(Execution.Abort a, Optional<StoredVersion> latest, AuthenticatedUpdate u,
            WriteBatch batch) {
        var aguid = u.update().aguid();
        HistoryEntry entry = new HistoryEntry(aguid, nextHistoryIndex(aguid), false, u.digest(), u.writer(),
                u.update().nonce(), latest.map(v -> v.root().seq()).orElse(0L), Optional.empty(),
                a.timestampMicros(), -1, a.reason());
        recordHistory(entry, batch);
        return new Outcome.Aborted(latest, entry);
    }

    private void recordHistory(HistoryEntry entry, WriteBatch batch) {
        db.put(batch, RocksHandles.Family.HISTORY, StoreKeys.history(entry.aguid(), entry.index()),
                RecordCodec.encodeHistory(entry));
        db.put(batch, RocksHandles.Family.NONCES, StoreKeys.nonce(entry.aguid(), entry.writer(), entry.nonce()),
                StoreKeys.i64(entry.index()));
    }

    private long nextHistoryIndex(Aguid aguid) {
        return db.lastKeyWithPrefix(RocksHandles.Family.HISTORY, aguid).map(k -> StoreKeys.trailingLong(k) + 1)
                .orElse(0L);
    }

    @Override
    public long appliedPosition() {
        return appliedPosition;
    }

    /**
     * Runs every check {@link #apply} would make against the current latest version, writing
     * nothing. It executes the clauses (a search reads the object's bytes), so it costs about as
     * much as executing; the answer may differ from the later apply if other updates come first.
     */
    @Override
    public Optional<Rejected> precheck(AuthenticatedUpdate update) {
        if (update == null) {
            throw new IllegalArgumentException("update must be non-null");
        }
        return underOpen(() -> {
            try {
                UpdateValidator.validate(update, limits);
            } catch (InvalidUpdateException e) {
                return Optional.of(e.toRejected());
            }
            var u = update.update();
            Optional<HistoryEntry> earlier = findByNonceOpen(u.aguid(), update.writer(), u.nonce());
            if (earlier.isPresent()) {
                return answerAgain(earlier.get(), update) instanceof Rejected r ? Optional.of(r) : Optional.empty();
            }
            Execution dryRun = engine.execute(latestOpen(u.aguid()), update, Long.MIN_VALUE, db::requireBlock);
            return dryRun instanceof Execution.Reject r ? Optional.of(r.rejected()) : Optional.empty();
        });
    }

    @Override
    public Optional<StoredVersion> read(Aguid aguid, Selector selector) {
        if (aguid == null || selector == null) {
            throw new IllegalArgumentException("aguid (" + aguid + ") and selector (" + selector + ") must be non-null");
        }
        return underOpen(() -> readOpen(aguid, selector));
    }

    private Optional<StoredVersion> readOpen(Aguid aguid, Selector selector) {
        return switch (selector) {
            case Selector.Latest l -> latestOpen(aguid);
            case Selector.BySeq s -> s.seq() < 1 ? Optional.empty() : versionAt(aguid, s.seq());
            case Selector.ByVguid v -> db.get(RocksHandles.Family.VGUIDS, v.vguid().toBytes())
                    .filter(key -> StoreKeys.hasPrefix(key, aguid))
                    .flatMap(key -> versionAt(aguid, StoreKeys.trailingLong(key)));
            case Selector.AsOf t -> db.lastKeyAtOrBefore(RocksHandles.Family.AS_OF, aguid,
                            StoreKeys.asOf(aguid, t.timestampMicros(), Long.MAX_VALUE))
                    .flatMap(key -> versionAt(aguid, StoreKeys.trailingLong(key)));
        };
    }

    private Optional<StoredVersion> latestOpen(Aguid aguid) {
        return db.lastKeyWithPrefix(RocksHandles.Family.VERSIONS, aguid)
                .flatMap(key -> versionAt(aguid, StoreKeys.trailingLong(key)));
    }

    private Optional<StoredVersion> versionAt(Aguid aguid, long seq) {
        return db.get(RocksHandles.Family.VERSIONS, StoreKeys.version(aguid, seq)).map(RecordCodec::decodeVersion);
    }

    @Override
    public Optional<byte[]> block(Bguid bguid) {
        if (bguid == null) {
            throw new IllegalArgumentException("bguid must be non-null");
        }
        return underOpen(() -> db.get(RocksHandles.Family.BLOCKS, bguid.toBytes()));
    }

    @Override
    public List<HistoryEntry> history(Aguid aguid, long fromIndex, long limit) {
        if (aguid == null || fromIndex < 0 || limit < 0) {
            throw new IllegalArgumentException("aguid (" + aguid + ") must be non-null, fromIndex (" + fromIndex
                    + ") and limit (" + limit + ") must be >= 0");
        }
        return underOpen(() -> {
            List<HistoryEntry> out = new ArrayList<>();
            long max = limit == 0 ? Long.MAX_VALUE : limit;
            db.scanPrefix(RocksHandles.Family.HISTORY, aguid, StoreKeys.history(aguid, fromIndex), (key, value) -> {
                out.add(RecordCodec.decodeHistory(aguid, StoreKeys.trailingLong(key), value));
                return out.size() < max;
            });
            return out;
        });
    }

    @Override
    public Optional<HistoryEntry> findByNonce(Aguid aguid, PublicKey writer, long nonce) {
        if (aguid == null || writer == null) {
            throw new IllegalArgumentException("aguid (" + aguid + ") and writer (" + writer + ") must be non-null");
        }
        return underOpen(() -> findByNonceOpen(aguid, writer, nonce));
    }

    private Optional<HistoryEntry> findByNonceOpen(Aguid aguid, PublicKey writer, long nonce) {
        return db.get(RocksHandles.Family.NONCES, StoreKeys.nonce(aguid, writer, nonce)).map(StoreKeys::i64)
                .map(index -> RecordCodec.decodeHistory(aguid, index,
                        db.get(RocksHandles.Family.HISTORY, StoreKeys.history(aguid, index)).orElseThrow(
                                () -> new IllegalStateException("nonce index names missing history entry " + index))));
    }

    @Override
    public void sync() {
        underOpen(() -> {
            db.syncWal();
            return null;
        });
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
    private <T> T underOpen(java.util.function.Supplier<T> call) {
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
