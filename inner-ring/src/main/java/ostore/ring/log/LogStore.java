package ostore.ring.log;

import java.util.List;

/**
 * Durable storage under a {@link SharedLog}. Appends and trims come from one thread at a time (the
 * group committer, the checkpointer); reads may run concurrently with both.
 */
public interface LogStore extends AutoCloseable {
    /** {@code "llpl"} or {@code "segment"}. */
    String kind();

    /** Where the log lives and on what, for the one start-up line. */
    String description();

    LogStoreConfig config();

    /**
     * Appends every batch in one all-or-nothing, durable step: after a crash either all of them are
     * in the log or none is. Several batches may name the same color; they follow one another.
     *
     * @return the first position of each batch, in the order given
     */
    long[] append(List<ColorBatch> batches);

    /** @throws TrimmedPositionException if {@code from} is below {@link #firstPosition} */
    List<LogEntry> read(int color, long from, int maxRecords);

    /**
     * As {@link #read(int, long, int)}, but stops before the payloads would exceed {@code
     * maxBytes}; the first record is returned whatever its size, so a reader always moves on. This
     * default reads one record at a time; stores that know lengths before reading do better.
     */
    default List<LogEntry> read(int color, long from, int maxRecords, long maxBytes) {
        return LogBounds.readByBytes(from, maxRecords, maxBytes, p -> read(color, p, 1));
    }

    /** Bytes of media the log takes now, which trims give back; 0 for a store that cannot tell. */
    default long bytesUsed() {
        return 0;
    }

    /** What {@link #bytesUsed()} may reach before appends fail; {@link Long#MAX_VALUE} if only the disk bounds it. */
    default long capacityBytes() {
        return Long.MAX_VALUE;
    }

    /**
     * Whether {@code color} holds records in the oldest unit of space (extent, segment) that the
     * log has: trims free space only from the oldest unit on, and only once every color has trimmed
     * past it, so such a color's records are the ones worth moving up. True when the store cannot
     * tell. Thread-safe and does not wait.
     */
    default boolean holdsOldest(int color) {
        return true;
    }

    /** Durably drops positions below {@code upTo}. */
    void trim(int color, long upTo);

    long firstPosition(int color);

    long nextPosition(int color);

    @Override
    void close();
}
