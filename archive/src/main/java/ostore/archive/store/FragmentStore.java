package ostore.archive.store;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import ostore.crypto.Hash32;

/**
 * One storage node's durable, content-addressed store of archive objects (fragments and
 * manifests), plus a small multi-valued index from an archived version's key to what names it.
 *
 * <p>An object's name is {@link ArchiveNames#objectName(byte[])} of its bytes: the store checks it
 * on every write and every read, so it never accepts, and never hands out, bytes that do not match
 * their name. Writes are durable when they return. Putting an object already held changes nothing.
 *
 * <p>The index maps a key ({@link ArchiveNames#indexKey}) to a bounded set of small values; the
 * store does not interpret them (the archive puts the names of the manifests for a version there).
 * A set rather than one value, so a value a faulty writer put first cannot hide a correct one.
 */
public interface FragmentStore extends AutoCloseable {
    /** The largest object a store accepts. */
    int MAX_OBJECT_BYTES = 64 << 20;
    /** The largest index value. */
    int MAX_INDEX_VALUE_BYTES = 4096;
    /** The most values one index key holds; further distinct values are refused. */
    int MAX_INDEX_VALUES = 16;

    /**
     * Stores {@code bytes} under {@code name}, durably.
     *
     * @return true if the object is new here (or replaced a stored copy that no longer matched its
     *     name), false if it was already held intact
     * @throws CorruptObjectException if {@code name} is not the name of {@code bytes}
     * @throws IllegalArgumentException if the object exceeds {@link #MAX_OBJECT_BYTES}
     */
    boolean put(Hash32 name, byte[] bytes) throws IOException;

    /**
     * Stores {@code bytes} under their name ({@link ArchiveNames#objectName}), durably, and returns
     * the name. The same as {@link #put} with the name computed first; a store that checks the name
     * on put anyway computes it once instead of twice.
     *
     * @throws IllegalArgumentException if the object exceeds {@link #MAX_OBJECT_BYTES}
     */
    default Hash32 putNamed(byte[] bytes) throws IOException {
        Hash32 name = ArchiveNames.objectName(bytes);
        put(name, bytes);
        return name;
    }

    /**
     * The object named {@code name}, checked against its name; empty if not held.
     *
     * @throws CorruptObjectException if the stored bytes no longer match the name; the store then
     *     sets the object aside (it is no longer held, and a later put may store it again)
     */
    Optional<byte[]> get(Hash32 name) throws IOException;

    /**
     * The object named {@code name} as held, for a caller that hashes it against the name itself
     * (the restorer and scrubber do, for every fragment): the store may skip its own check, so the
     * bytes may not match the name, and a corrupt copy is then not set aside by this call. A caller
     * that finds a mismatch calls {@link #get}, which checks and sets the copy aside. By default the
     * checked {@link #get}; empty if not held.
     */
    default Optional<byte[]> getUnverified(Hash32 name) throws IOException {
        return get(name);
    }

    /** Whether an object of this name is held (without reading it back). */
    boolean has(Hash32 name) throws IOException;

    /**
     * Names held, in ascending order, strictly after {@code after} (from the first if null), at most
     * {@code limit} of them.
     */
    List<Hash32> list(Hash32 after, int limit) throws IOException;

    /**
     * Adds {@code value} to the set under {@code key}, durably.
     *
     * @return true if the value is new under the key, false if it was already there
     * @throws IllegalArgumentException if the value is empty or exceeds {@link #MAX_INDEX_VALUE_BYTES}
     * @throws IllegalStateException if the key already holds {@link #MAX_INDEX_VALUES} other values
     */
    boolean addIndex(Hash32 key, byte[] value) throws IOException;

    /** The values under {@code key}, in the order they were added; empty if none. */
    List<byte[]> index(Hash32 key) throws IOException;

    /** How much the store holds. */
    Usage usage() throws IOException;

    /** Objects held and their total bytes. */
    record Usage(long objects, long bytes) {}

    @Override
    void close() throws IOException;
}
