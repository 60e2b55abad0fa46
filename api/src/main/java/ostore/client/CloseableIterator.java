package ostore.client;

import java.util.Iterator;

/**
 * An iterator over a server stream. Closing it cancels the call; an iterator that is neither
 * drained nor closed keeps the call and its buffers alive.
 */
public interface CloseableIterator<T> extends Iterator<T>, AutoCloseable {
    /** Cancels the stream; afterwards {@link #hasNext()} returns false. Idempotent. */
    @Override
    void close();
}
