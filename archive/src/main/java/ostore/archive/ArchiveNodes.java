package ostore.archive;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
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

    /** @see ostore.archive.store.FragmentStore#get */
    Optional<byte[]> get(int node, Hash32 name) throws IOException;

    /** @see ostore.archive.store.FragmentStore#has */
    boolean has(int node, Hash32 name) throws IOException;

    /** @see ostore.archive.store.FragmentStore#addIndex */
    boolean addIndex(int node, Hash32 key, byte[] value) throws IOException;

    /** @see ostore.archive.store.FragmentStore#index */
    List<byte[]> index(int node, Hash32 key) throws IOException;
}
