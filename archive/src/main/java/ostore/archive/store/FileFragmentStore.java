package ostore.archive.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import ostore.crypto.Hash32;

/**
 * A {@link FragmentStore} in a directory of plain files, one per object, so a storage node needs no
 * database and an operator can inspect or back it up with ordinary tools.
 *
 * <pre>
 * objects/ab/abcd…   one file per object, named by the lowercase hex of its name, sharded by its first byte
 * index/ab/abcd…     one file per index key (see {@link IndexFile})
 * quarantine/        objects found corrupt on a read, kept for inspection, no longer held
 * tmp/               files being written; emptied on open
 * lock               held (an OS file lock) while the store is open, so two stores never share a directory
 * </pre>
 *
 * <p>Every file is written to {@code tmp/}, forced to disk, atomically renamed into place and its
 * directory forced, so after a crash a name holds either nothing or the complete, synced bytes.
 * Reads re-hash the bytes: a mismatch moves the file to {@code quarantine/} and throws
 * {@link CorruptObjectException} ({@link #getUnverified} skips that for callers that hash anyway). A
 * put of an object already held compares the file with the bytes given, and replaces a rotten or
 * truncated file (setting it aside the same way) instead of answering "already held". Thread-safe: writers of one shard directory, and the move to
 * quarantine, take its lock.
 */
public final class FileFragmentStore implements FragmentStore {
    private static final HexFormat HEX = HexFormat.of();
    private static final int SHARDS = 256;

    private final Path objects;
    private final Path index;
    private final Path quarantine;
    private final Path tmp;
    private final Object[] shardLocks = new Object[SHARDS];
    private final AtomicLong tmpCounter = new AtomicLong();
    /** Objects and bytes per shard directory, changed only under that shard's lock. */
    private final AtomicLongArray shardObjects = new AtomicLongArray(SHARDS);
    private final AtomicLongArray shardBytes = new AtomicLongArray(SHARDS);
    private FileChannel lock;
    private volatile boolean closed;

    private FileFragmentStore(Path root) {
        this.objects = root.resolve("objects");
        this.index = root.resolve("index");
        this.quarantine = root.resolve("quarantine");
        this.tmp = root.resolve("tmp");
        for (int i = 0; i < SHARDS; i++) {
            shardLocks[i] = new Object();
        }
    }

    /**
     * Opens (creating if needed) the store in {@code root}, deletes unfinished temporary files and
     * counts the objects held.
     */
    public static FileFragmentStore open(Path root) throws IOException {
        Objects.requireNonNull(root, "root");
        FileFragmentStore store = new FileFragmentStore(root);
        for (Path dir : List.of(store.objects, store.index, store.quarantine, store.tmp)) {
            Files.createDirectories(dir);
        }
        Durable.syncDirectory(root);
        store.lock(root.resolve("lock"));
        try {
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(store.tmp)) {
                for (Path p : leftovers) {
                    Files.delete(p);
                }
            }
            store.countObjects();
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    @Override
    public boolean put(Hash32 name, byte[] bytes) throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bytes, "bytes");
        ensureOpen();
        checkSize(bytes);
        Hash32 actual = ArchiveNames.objectName(bytes);
        if (!actual.equals(name)) {
            throw new CorruptObjectException(name, "object put as " + name + " has the name " + actual);
        }
        return store(name, bytes);
    }

    @Override
    public Hash32 putNamed(byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        ensureOpen();
        checkSize(bytes);
        Hash32 name = ArchiveNames.objectName(bytes);
        store(name, bytes);
        return name;
    }

    private static void checkSize(byte[] bytes) {
        if (bytes.length > MAX_OBJECT_BYTES) {
            throw new IllegalArgumentException("object of " + bytes.length + " bytes exceeds the maximum of "
                    + MAX_OBJECT_BYTES);
        }
    }

    /** Stores {@code bytes}, whose name is {@code name}; true if new here (see {@link #put}). */
    private boolean store(Hash32 name, byte[] bytes) throws IOException {
        Path target = objectPath(name);
        int shard = shard(name);
        // Written outside the lock when the object looks new, so puts of different objects overlap.
        Path temp = Files.exists(target) ? null : writeTemp(bytes);
        synchronized (shardLocks[shard]) {
            // Under the same lock as quarantine(): an existing file is either checked here whole or
            // moved aside there, never both at once.
            if (Files.exists(target)) {
                if (holdsExactly(target, bytes)) {
                    if (temp != null) {
                        Files.delete(temp);
                    }
                    return false;
                }
                // The file rotted (or was cut short): set it aside and store the good bytes in its place.
                setAside(name, target);
            }
            if (temp == null) {
                temp = writeTemp(bytes);
            }
            createShardDirectory(target.getParent(), objects);
            moveAtomically(temp, target);
            Durable.syncDirectory(target.getParent());
            shardObjects.incrementAndGet(shard);
            shardBytes.addAndGet(shard, bytes.length);
        }
        return true;
    }

    /**
     * Whether {@code file} holds exactly {@code bytes} (which already match their name). The size is
     * compared first; then the content in full. Objects are at most 64 MiB and a put of an object
     * already held is rare (a repeated write, a scrub), so the full read is affordable, and it is
     * what keeps "already held" from meaning "held, but rotten" until the next read finds out.
     */
    private static boolean holdsExactly(Path file, byte[] bytes) throws IOException {
        try {
            if (Files.size(file) != bytes.length) {
                return false;
            }
            return java.util.Arrays.equals(Files.readAllBytes(file), bytes);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public Optional<byte[]> get(Hash32 name) throws IOException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        Path file = objectPath(name);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Hash32 actual = ArchiveNames.objectName(bytes);
        if (!actual.equals(name)) {
            quarantine(name, file);
            throw new CorruptObjectException(name, "object " + name + " on disk (" + bytes.length
                    + " bytes) now has the name " + actual + "; moved to quarantine");
        }
        return Optional.of(bytes);
    }

    /** The file's bytes, unhashed: one read, for a caller that checks them against the name. */
    @Override
    public Optional<byte[]> getUnverified(Hash32 name) throws IOException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        try {
            return Optional.of(Files.readAllBytes(objectPath(name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean has(Hash32 name) throws IOException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        return Files.exists(objectPath(name));
    }

    @Override
    public List<Hash32> list(Hash32 after, int limit) throws IOException {
        ensureOpen();
        if (limit < 1) {
            throw new IllegalArgumentException("limit (" + limit + ") must be >= 1");
        }
        List<Hash32> out = new ArrayList<>(Math.min(limit, 1024));
        for (int s = after == null ? 0 : Byte.toUnsignedInt(after.byteAt(0)); s < SHARDS && out.size() < limit; s++) {
            for (Hash32 name : namesInShard(s)) {
                if (after == null || name.compareTo(after) > 0) {
                    out.add(name);
                    if (out.size() == limit) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    @Override
    public boolean addIndex(Hash32 key, byte[] value) throws IOException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        ensureOpen();
        if (value.length == 0 || value.length > MAX_INDEX_VALUE_BYTES) {
            throw new IllegalArgumentException("index value of " + value.length + " bytes must be 1.."
                    + MAX_INDEX_VALUE_BYTES);
        }
        Path file = indexPath(key);
        synchronized (shardLocks[shard(key)]) {
            List<byte[]> values = IndexFile.read(file);
            for (byte[] v : values) {
                if (java.util.Arrays.equals(v, value)) {
                    return false;
                }
            }
            if (values.size() >= MAX_INDEX_VALUES) {
                throw new IllegalStateException("index key " + key + " already holds " + values.size()
                        + " values, the maximum");
            }
            values.add(value.clone());
            createShardDirectory(file.getParent(), index);
            moveAtomically(writeTemp(IndexFile.encode(values)), file);
            Durable.syncDirectory(file.getParent());
        }
        return true;
    }

    @Override
    public List<byte[]> index(Hash32 key) throws IOException {
        Objects.requireNonNull(key, "key");
        ensureOpen();
        return IndexFile.read(indexPath(key));
    }

    @Override
    public Usage usage() throws IOException {
        ensureOpen();
        long objects = 0;
        long bytes = 0;
        for (int s = 0; s < SHARDS; s++) {
            objects += shardObjects.get(s);
            bytes += shardBytes.get(s);
        }
        return new Usage(objects, bytes);
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    private void lock(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (ch.tryLock() == null) {
                throw new IOException("fragment store " + file.getParent() + " is open in another process");
            }
        } catch (java.nio.channels.OverlappingFileLockException e) {
            ch.close();
            throw new IOException("fragment store " + file.getParent() + " is already open in this process", e);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        this.lock = ch;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("fragment store " + objects.getParent() + " is closed");
        }
    }

    private static int shard(Hash32 name) {
        return Byte.toUnsignedInt(name.byteAt(0));
    }

    private Path objectPath(Hash32 name) {
        String hex = name.toHex();
        return objects.resolve(hex.substring(0, 2)).resolve(hex);
    }

    private Path indexPath(Hash32 key) {
        String hex = key.toHex();
        return index.resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** The names in one shard directory, sorted; files whose names are not 64 hex digits are ignored. */
    private List<Hash32> namesInShard(int shard) throws IOException {
        Path dir = objects.resolve(HEX.toHexDigits((byte) shard));
        List<Hash32> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String file = p.getFileName().toString();
                if (file.length() == 2 * Hash32.LENGTH && file.chars().allMatch(HexFormat::isHexDigit)) {
                    names.add(Hash32.fromHex(file));
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        names.sort(null);
        return names;
    }

    private Path writeTemp(byte[] bytes) throws IOException {
        Path temp = tmp.resolve(tmpCounter.incrementAndGet() + "-" + Thread.currentThread().threadId() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    private static void createShardDirectory(Path dir, Path parent) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Durable.syncDirectory(parent);
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to + " cannot rename atomically", e);
        }
    }

    private void quarantine(Hash32 name, Path file) throws IOException {
        synchronized (shardLocks[shard(name)]) {
            // Look again under the lock: another reader may have set the file aside and a put
            // stored a good copy since this reader saw the bad one.
            byte[] now;
            try {
                now = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                return;
            }
            if (ArchiveNames.objectName(now).equals(name)) {
                return;
            }
            setAside(name, file);
        }
    }

    /** Moves a bad object file to {@code quarantine/} and recounts its shard; the caller holds the shard lock. */
    private void setAside(Hash32 name, Path file) throws IOException {
        Path target = quarantine.resolve(name.toHex() + "." + System.nanoTime());
        moveAtomically(file, target);
        Durable.syncDirectory(file.getParent());
        Durable.syncDirectory(quarantine);
        // The bytes counted at put are unknown now that the file changed: count the shard again.
        countShard(shard(name));
    }

    private void countObjects() throws IOException {
        for (int s = 0; s < SHARDS; s++) {
            synchronized (shardLocks[s]) {
                countShard(s);
            }
        }
    }

    private void countShard(int shard) throws IOException {
        long objects = 0;
        long bytes = 0;
        for (Hash32 name : namesInShard(shard)) {
            objects++;
            bytes += Files.size(objectPath(name));
        }
        shardObjects.set(shard, objects);
        shardBytes.set(shard, bytes);
    }
}
