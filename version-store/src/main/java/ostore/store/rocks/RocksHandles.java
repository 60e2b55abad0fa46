package ostore.store.rocks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB database, its column families and options, with the few operations the store
 * needs. It owns every native object and closes them in reverse order of creation.
 */
final class RocksHandles implements AutoCloseable {
    /**
     * Column families; the names are on disk and must never change. Meta lives in the default one.
     * Open sets {@code createMissingColumnFamilies}, which is how a new store gets its families.
     */
    enum Family {
        META("default"),
        BLOCKS("blocks"),
        VERSIONS("versions"),
        VGUIDS("vguids"),
        AS_OF("as-of"),
        HISTORY("history"),
        NONCES("nonces"),
        CERTIFICATES("certificates"),
        /** Store format 4: each color's journal of the records its applies created, for snapshots. */
        JOURNAL("journal"),
        /** Store format 5: a mark per version stored without a certificate (aguid ‖ seq to color, position). */
        UNCERTIFIED("uncertified");

        final byte[] name;

        Family(String name) {
            this.name = name.getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** Blocks are large and written once; keeping them in blob files spares compaction rewriting them. */
    private static final long MIN_BLOB_BYTES = 1024;

    static {
        RocksDB.loadLibrary();
    }

    private final DBOptions dbOptions;
    private final List<ColumnFamilyOptions> familyOptions;
    private final Map<Family, ColumnFamilyHandle> families;
    private final RocksDB db;
    /** What the OS says of a full disk (ENOSPC, EDQUOT), as RocksDB passes it on. */
    private static final String NO_SPACE = "No space left on device";
    private static final String NO_QUOTA = "Disk quota exceeded";
    private final WriteOptions unsynced;
    /** The first failure that found the disk full, or null. */
    private volatile String diskFull;
    private final WriteOptions synced;

    private RocksHandles(DBOptions dbOptions, List<ColumnFamilyOptions> familyOptions,
            Map<Family, ColumnFamilyHandle> families, RocksDB db) {
        this.dbOptions = dbOptions;
        this.familyOptions = familyOptions;
        this.families = families;
        this.db = db;
        this.unsynced = new WriteOptions();
        this.synced = new WriteOptions().setSync(true);
    }

    static RocksHandles open(Path dir) {
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        List<ColumnFamilyOptions> options = new ArrayList<>();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (Family f : Family.values()) {
            ColumnFamilyOptions o = new ColumnFamilyOptions();
            if (f == Family.BLOCKS) {
                o.setEnableBlobFiles(true).setMinBlobSize(MIN_BLOB_BYTES);
            }
            options.add(o);
            descriptors.add(new ColumnFamilyDescriptor(f.name, o));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            Map<Family, ColumnFamilyHandle> byFamily = new EnumMap<>(Family.class);
            Family[] order = Family.values();
            for (int i = 0; i < order.length; i++) {
                byFamily.put(order[i], handles.get(i));
            }
            return new RocksHandles(dbOptions, options, byFamily, db);
        } catch (RocksDBException e) {
            options.forEach(ColumnFamilyOptions::close);
            dbOptions.close();
            throw RocksVersionStore.failure("open " + dir, e);
        }
    }

    Optional<byte[]> get(Family f, byte[] key) {
        try {
            return Optional.ofNullable(db.get(families.get(f), key));
        } catch (RocksDBException e) {
            throw failure("read " + f, e);
        }
    }

    Optional<byte[]> getMeta(byte[] key) {
        return get(Family.META, key);
    }

    void putMetaSynced(byte[] key, byte[] value) {
        try {
            db.put(families.get(Family.META), synced, key, value);
        } catch (RocksDBException e) {
            throw failure("write meta", e);
        }
    }

    void deleteMetaSynced(byte[] key) {
        try {
            db.delete(families.get(Family.META), synced, key);
        } catch (RocksDBException e) {
            throw failure("delete meta", e);
        }
    }

    void delete(WriteBatch batch, Family f, byte[] key) {
        try {
            batch.delete(families.get(f), key);
        } catch (RocksDBException e) {
            throw failure("batch a delete from " + f, e);
        }
    }

    /** Visits keys in [{@code from}, {@code to}) in order while the visitor returns true. */
    void scanRange(Family f, byte[] from, byte[] to, BiPredicate<byte[], byte[]> visitor) {
        try (RocksIterator it = db.newIterator(families.get(f))) {
            for (it.seek(from); it.isValid() && Arrays.compareUnsigned(it.key(), to) < 0; it.next()) {
                if (!visitor.test(it.key(), it.value())) {
                    return;
                }
            }
        }
    }

    /** One put on its own, through the WAL without an fsync, like an applied batch. */
    void put(Family f, byte[] key, byte[] value) {
        try {
            db.put(families.get(f), unsynced, key, value);
        } catch (RocksDBException e) {
            throw failure("write to " + f, e);
        }
    }

    void putMeta(WriteBatch batch, byte[] key, byte[] value) {
        put(batch, Family.META, key, value);
    }

    void put(WriteBatch batch, Family f, byte[] key, byte[] value) {
        try {
            batch.put(families.get(f), key, value);
        } catch (RocksDBException e) {
            throw failure("batch a write to " + f, e);
        }
    }

    boolean hasBlock(Bguid bguid) {
        return db.keyExists(families.get(Family.BLOCKS), bguid.toBytes());
    }

    /** Blocks are content-addressed, so one already stored is never written again. */
    void putBlockIfAbsent(WriteBatch batch, Bguid bguid, byte[] bytes) {
        if (!hasBlock(bguid)) {
            put(batch, Family.BLOCKS, bguid.toBytes(), bytes);
        }
    }

    void write(WriteBatch batch) {
        try {
            db.write(unsynced, batch);
        } catch (RocksDBException e) {
            throw failure("write a batch", e);
        }
    }

    /**
     * A RocksDB failure as the store reports it. Once one said the disk is full, RocksDB refuses
     * what follows with its own words ("Writer has previous error", say): those say the disk is
     * full too, so whoever handles the failure (a replica waits for room and starts again) sees
     * its cause whichever thread met it first.
     */
    private RuntimeException failure(String what, RocksDBException e) {
        Status s = e.getStatus();
        String m = String.valueOf(e.getMessage());
        if (s != null && s.getSubCode() == Status.SubCode.NoSpace || m.contains(NO_SPACE) || m.contains(NO_QUOTA)) {
            diskFull = m.contains(NO_SPACE) || m.contains(NO_QUOTA) ? m : m + " (" + NO_SPACE + ")";
        } else if (diskFull != null) {
            return new IllegalStateException("RocksDB failed to " + what + ": " + m + ", after a write found its disk"
                    + " full: " + diskFull, e);
        }
        return RocksVersionStore.failure(what, e);
    }

    void syncWal() {
        try {
            db.flushWal(true);
        } catch (RocksDBException e) {
            throw failure("sync the WAL", e);
        }
    }

    /** The greatest key that starts with {@code aguid}. */
    Optional<byte[]> lastKeyWithPrefix(Family f, Aguid aguid) {
        byte[] upper = Arrays.copyOf(aguid.toBytes(), 64);
        Arrays.fill(upper, 32, 64, (byte) 0xff);
        return lastKeyAtOrBefore(f, aguid, upper);
    }

    /** The greatest key {@code <= bound} that starts with {@code aguid}. */
    Optional<byte[]> lastKeyAtOrBefore(Family f, Aguid aguid, byte[] bound) {
        try (RocksIterator it = db.newIterator(families.get(f))) {
            it.seekForPrev(bound);
            return it.isValid() && StoreKeys.hasPrefix(it.key(), aguid) ? Optional.of(it.key()) : Optional.empty();
        }
    }

    /** Visits keys from {@code from} while they start with {@code aguid} and the visitor returns true. */
    void scanPrefix(Family f, Aguid aguid, byte[] from, BiPredicate<byte[], byte[]> visitor) {
        try (RocksIterator it = db.newIterator(families.get(f))) {
            for (it.seek(from); it.isValid() && StoreKeys.hasPrefix(it.key(), aguid); it.next()) {
                if (!visitor.test(it.key(), it.value())) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        synced.close();
        unsynced.close();
        families.values().forEach(ColumnFamilyHandle::close);
        try {
            db.closeE();
        } catch (RocksDBException e) {
            throw failure("close", e);
        } finally {
            familyOptions.forEach(ColumnFamilyOptions::close);
            dbOptions.close();
        }
    }
}
