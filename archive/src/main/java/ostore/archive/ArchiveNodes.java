package ostore.archive;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import ostore.archive.store.ArchiveNames;
import ostore.crypto.Hash32;

/**
 * The storage nodes the archive writes to and reads from, numbered {@code 0 .. count() - 1} (the
 * numbers placement uses). A node that is down or unreachable answers with an {@link IOException};
 * one whose stored bytes no longer match their name answers
 * {@link ostore.archive.store.CorruptObjectException}. Callers never trust a node: every object is
 * re-checked against its name, so a faulty node can only withhold data, not change it.
 *
 * <p>In process, {@link StoreNodes} wraps local {@link ostore.archive.store.FragmentStore}s; the node
 * module supplies one over gRPC.
 */
public interface ArchiveNodes {
    /** How many storage nodes there are. */
    int count();

    /** @see ostore.archive.store.FragmentStore#put */
    boolean put(int node, Hash32 name, byte[] bytes) throws IOException;

    /**
     * Stores {@code bytes} on node {@code node} under their name, and returns the name: the writer
     * names each fragment this way, so a store in this process hashes it once instead of once to
     * name it and once to check the name ({@link ostore.archive.store.FragmentStore#putNamed}).
     * The name goes into the manifest, so it must be computed in this process from the bytes, never
     * taken from a remote node's answer (a remote store keeps this default).
     */
    default Hash32 putNamed(int node, byte[] bytes) throws IOException {
        Hash32 name = ArchiveNames.objectName(bytes);
        put(node, name, bytes);
        return name;
    }

    /** @see ostore.archive.store.FragmentStore#get */
    Optional<byte[]> get(int node, Hash32 name) throws IOException;

    /**
     * The object named {@code name} as node {@code node} holds it, possibly without the node's own
     * check against the name ({@link ostore.archive.store.FragmentStore#getUnverified}), for a caller
     * that checks it anyway: the restorer hashes every fragment against the name its manifest lists,
     * so a second hash by an in-process store only doubles the work. A caller that finds the bytes
     * corrupt calls {@link #get} for the same object, so a node whose copy rotted sets it aside.
     * By default the checked {@link #get}.
     */
    default Optional<byte[]> getUnverified(int node, Hash32 name) throws IOException {
        return get(node, name);
    }

    /** @see ostore.archive.store.FragmentStore#has */
    boolean has(int node, Hash32 name) throws IOException;

    /** @see ostore.archive.store.FragmentStore#addIndex */
    boolean addIndex(int node, Hash32 key, byte[] value) throws IOException;

    /** @see ostore.archive.store.FragmentStore#index */
    List<byte[]> index(int node, Hash32 key) throws IOException;
}
