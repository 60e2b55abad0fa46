package ostore.node.archive;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The replica's durable list of versions still to archive, and of versions already archived, in a
 * small RocksDB of its own under {@code <data>/archive}. Durable, because a restart must not forget
 * a certified version that never reached the storage nodes; on disk, so a long backlog (storage
 * nodes down for a day) costs no heap. Enqueueing is one point lookup and one unsynced write (the
 * update path pays nothing more); {@link #sync()} makes it durable and runs with the version
 * store's own sync, so the queue is exactly as durable as the certificate that caused the entry.
 *
 * <p>Keys: {@code 'p' ‖ queued-at millis ‖ aguid ‖ seq} → pending state (oldest first, and within
 * one millisecond an object's versions in seq order); {@code 'k' ‖ aguid ‖ seq} → queued-at millis,
 * to find an entry by version; {@code 'd' ‖ aguid ‖ seq} → what archived it.
 */
final class ArchiveQueue implements AutoCloseable {
    private static final byte PENDING = 'p';
    private static final byte BY_VERSION = 'k';
    private static final byte DONE = 'd';

    /** A version waiting to be archived; {@code attempts} failed so far, the last for {@code lastError}. */
    record Pending(Aguid aguid, long seq, long queuedAtMillis, int attempts, long nextAttemptMillis, String lastError) {
        Pending {
            Objects.requireNonNull(aguid, "aguid");
            Objects.requireNonNull(lastError, "lastError");
        }
    }

    /**
     * A version this replica saw archived: by itself ({@code byPeer} false, with what its write
     * placed) or, found on the storage nodes after the grace period, by another replica (then
     * {@code archivedBytes} is -1 and the fragment counts 0: only the manifest's name was checked).
     */
    record Done(Hash32 manifestName, long archivedBytes, int fragmentsPlaced, int fragmentsTotal, boolean byPeer,
            long atMillis) {
        Done {
            Objects.requireNonNull(manifestName, "manifestName");
        }
    }

    private final RocksDB db;
    private final Options options;
    private final BloomFilter filter;
    private final WriteOptions writes;
    private final AtomicLong count = new AtomicLong();
    private boolean closed;

    private ArchiveQueue(RocksDB db, Options options, BloomFilter filter, WriteOptions writes) {
        this.db = db;
        this.options = options;
        this.filter = filter;
        this.writes = writes;
    }

    /**
     * Opens (creating) the queue in {@code dir}. Every pending entry becomes due now: a restart is
     * the moment to retry what failed before it.
     */
    static ArchiveQueue open(Path dir, long nowMillis) throws java.io.IOException {
        RocksDB.loadLibrary();
        Files.createDirectories(dir);
        // Enqueueing looks up versions that are mostly absent: bloom filters answer those from memory.
        BloomFilter filter = new BloomFilter(10);
        Options options = new Options().setCreateIfMissing(true)
                .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(filter));
        WriteOptions writes = new WriteOptions();
        try {
            ArchiveQueue q = new ArchiveQueue(RocksDB.open(options, dir.toString()), options, filter, writes);
            q.resetOnOpen(nowMillis);
            return q;
        } catch (RocksDBException e) {
            writes.close();
            options.close();
            filter.close();
            throw new java.io.IOException("cannot open the archive queue in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void resetOnOpen(long nowMillis) throws RocksDBException {
        long n = 0;
        try (WriteBatch batch = new WriteBatch(); RocksIterator it = db.newIterator()) {
            for (it.seek(new byte[] {PENDING}); it.isValid() && it.key()[0] == PENDING; it.next()) {
                Pending p = pending(it.key(), it.value());
                batch.put(it.key(), encode(p.attempts(), nowMillis, p.lastError()));
                n++;
            }
            db.write(writes, batch);
        }
        count.set(n);
    }

    /**
     * Queues version {@code seq} of {@code aguid} unless it is queued or archived already.
     *
     * @return true if it was queued now
     */
    synchronized boolean enqueue(Aguid aguid, long seq, long nowMillis) {
        open();
        byte[] version = versionKey(BY_VERSION, aguid, seq);
        try {
            if (db.get(version) != null || db.get(versionKey(DONE, aguid, seq)) != null) {
                return false;
            }
            try (WriteBatch batch = new WriteBatch()) {
                batch.put(version, ByteBuffer.allocate(8).putLong(nowMillis).array());
                batch.put(pendingKey(nowMillis, aguid, seq), encode(0, nowMillis, ""));
                db.write(writes, batch);
            }
        } catch (RocksDBException e) {
            throw new IllegalStateException("archive queue: cannot queue " + aguid + " seq " + seq + ": "
                    + e.getMessage(), e);
        }
        count.incrementAndGet();
        return true;
    }

    /** Up to {@code limit} pending entries, oldest first. */
    synchronized List<Pending> scan(int limit) {
        open();
        List<Pending> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(new byte[] {PENDING}); it.isValid() && it.key()[0] == PENDING && out.size() < limit; it.next()) {
                out.add(pending(it.key(), it.value()));
            }
        }
        return out;
    }

    /** How many versions are pending. */
    long size() {
        return count.get();
    }

    /** The oldest pending entry, if any. */
    Optional<Pending> oldest() {
        List<Pending> first = scan(1);
        return first.isEmpty() ? Optional.empty() : Optional.of(first.getFirst());
    }

    /** The pending entry of this version, if it is pending. */
    synchronized Optional<Pending> pending(Aguid aguid, long seq) {
        open();
        try {
            byte[] at = db.get(versionKey(BY_VERSION, aguid, seq));
            if (at == null) {
                return Optional.empty();
            }
            byte[] key = pendingKey(ByteBuffer.wrap(at).getLong(), aguid, seq);
            byte[] value = db.get(key);
            return value == null ? Optional.empty() : Optional.of(pending(key, value));
        } catch (RocksDBException e) {
            throw new IllegalStateException("archive queue: cannot read " + aguid + " seq " + seq + ": " + e.getMessage(), e);
        }
    }

    /** What archived this version, if this replica recorded it. */
    synchronized Optional<Done> done(Aguid aguid, long seq) {
        open();
        try {
            byte[] v = db.get(versionKey(DONE, aguid, seq));
            if (v == null) {
                return Optional.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(v);
            byte[] name = new byte[Hash32.LENGTH];
            b.get(name);
            return Optional.of(new Done(Hash32.of(name), b.getLong(), b.getInt(), b.getInt(), b.get() != 0, b.getLong()));
        } catch (RocksDBException e) {
            throw new IllegalStateException("archive queue: cannot read " + aguid + " seq " + seq + ": " + e.getMessage(), e);
        }
    }

    /** Moves {@code p} from pending to done. */
    synchronized void complete(Pending p, Done done) {
        open();
        ByteBuffer v = ByteBuffer.allocate(Hash32.LENGTH + 8 + 4 + 4 + 1 + 8);
        v.put(done.manifestName().toBytes()).putLong(done.archivedBytes()).putInt(done.fragmentsPlaced())
                .putInt(done.fragmentsTotal()).put((byte) (done.byPeer() ? 1 : 0)).putLong(done.atMillis());
        try (WriteBatch batch = new WriteBatch()) {
            batch.delete(pendingKey(p.queuedAtMillis(), p.aguid(), p.seq()));
            batch.delete(versionKey(BY_VERSION, p.aguid(), p.seq()));
            batch.put(versionKey(DONE, p.aguid(), p.seq()), v.array());
            db.write(writes, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("archive queue: cannot record " + p.aguid() + " seq " + p.seq()
                    + " as archived: " + e.getMessage(), e);
        }
        count.decrementAndGet();
    }

    /** Records a failed attempt of {@code p}; it is tried again at {@code nextAttemptMillis}. */
    synchronized void failed(Pending p, long nextAttemptMillis, String error) {
        open();
        try {
            db.put(writes, pendingKey(p.queuedAtMillis(), p.aguid(), p.seq()),
                    encode(p.attempts() + 1, nextAttemptMillis, error));
        } catch (RocksDBException e) {
            throw new IllegalStateException("archive queue: cannot record a failure of " + p.aguid() + " seq "
                    + p.seq() + ": " + e.getMessage(), e);
        }
    }

    /** Makes every entry written so far durable. */
    synchronized void sync() {
        open();
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw new IllegalStateException("archive queue: cannot sync: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        db.close();
        writes.close();
        options.close();
        filter.close();
    }

    /** A call after close would reach a freed native handle: refuse it in Java instead. */
    private void open() {
        if (closed) {
            throw new IllegalStateException("the archive queue is closed");
        }
    }

    private static byte[] encode(int attempts, long nextAttemptMillis, String error) {
        // An error message is for people; a long one is cut so an entry stays small.
        byte[] text = error.getBytes(StandardCharsets.UTF_8);
        text = Arrays.copyOf(text, Math.min(text.length, 2048));
        return ByteBuffer.allocate(4 + 8 + text.length).putInt(attempts).putLong(nextAttemptMillis).put(text).array();
    }

    private static Pending pending(byte[] key, byte[] value) {
        ByteBuffer k = ByteBuffer.wrap(key, 1, key.length - 1);
        long at = k.getLong();
        byte[] aguid = new byte[Hash32.LENGTH];
        k.get(aguid);
        long seq = k.getLong();
        ByteBuffer v = ByteBuffer.wrap(value);
        int attempts = v.getInt();
        long next = v.getLong();
        String error = new String(value, v.position(), v.remaining(), StandardCharsets.UTF_8);
        return new Pending(new Aguid(Hash32.of(aguid)), seq, at, attempts, next, error);
    }

    private static byte[] pendingKey(long atMillis, Aguid aguid, long seq) {
        return ByteBuffer.allocate(1 + 8 + Hash32.LENGTH + 8).put(PENDING).putLong(atMillis).put(aguid.toBytes())
                .putLong(seq).array();
    }

    private static byte[] versionKey(byte prefix, Aguid aguid, long seq) {
        return ByteBuffer.allocate(1 + Hash32.LENGTH + 8).put(prefix).put(aguid.toBytes()).putLong(seq).array();
    }
}
