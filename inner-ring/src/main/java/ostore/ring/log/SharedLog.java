package ostore.ring.log;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A totally ordered, durable log per color. Positions are dense per color from 0 and never reused;
 * trimming raises the first readable position but never lowers the next one.
 */
public interface SharedLog extends AutoCloseable {
    /** The largest color plus one; colors are {@code 0 .. colors() - 1}. */
    int colors();

    /** The largest payload a single record may have. */
    int maxRecordBytes();

    /**
     * Appends {@code records} to {@code color} as one all-or-nothing batch, durably.
     *
     * @return the position of the first record; the others follow densely
     * @throws IllegalArgumentException for a bad color, an empty list or an oversize record
     */
    long append(int color, List<byte[]> records);

    /** As {@link #append}, completing once the batch is durable; bad arguments fail the future. */
    CompletableFuture<Long> appendAsync(int color, List<byte[]> records);

    /**
     * Up to {@code maxRecords} entries from {@code from} on, in order; empty at the end of the log.
     *
     * @throws TrimmedPositionException if {@code from} is below {@link #firstPosition}
     */
    List<LogEntry> read(int color, long from, int maxRecords);

    /**
     * As {@link #read(int, long, int)}, but stops before the payloads would exceed {@code
     * maxBytes}; the first record is returned whatever its size. Readers of records up to
     * {@link #maxRecordBytes()} use it to bound their memory. This default reads one record at a time.
     */
    default List<LogEntry> read(int color, long from, int maxRecords, long maxBytes) {
        return LogBounds.readByBytes(from, maxRecords, maxBytes, p -> read(color, p, 1));
    }

    /**
     * Delivers every entry from {@code from} on, existing ones first and then new ones as they are
     * appended, in order, on a thread owned by the subscription.
     */
    Subscription subscribe(int color, long from, Consumer<LogEntry> consumer);

    /** Drops every position below {@code upTo}; a no-op when already trimmed that far. */
    void trim(int color, long upTo);

    /**
     * As {@link #trim}, without waiting for the disk: the trims of one log take effect in the order
     * they were asked for, {@link #firstPosition} rises as each is done, and a trim that fails fails
     * its future. This default trims before it returns.
     */
    default CompletableFuture<Void> trimAsync(int color, long upTo) {
        try {
            trim(color, upTo);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    long firstPosition(int color);

    /** Bytes of media the log takes now, which trims give back; 0 for a log that cannot tell. Thread-safe. */
    default long bytesUsed() {
        return 0;
    }

    /** What {@link #bytesUsed()} may reach before appends fail; {@link Long#MAX_VALUE} if only the disk bounds it. */
    default long capacityBytes() {
        return Long.MAX_VALUE;
    }

    /** See {@link LogStore#holdsOldest}; true for a log that cannot tell. Thread-safe. */
    default boolean holdsOldest(int color) {
        return true;
    }

    long nextPosition(int color);

    /**
     * Why appends wait for room now, if they do: the store refused one as full, and it and every
     * later one are kept in order and written once a trim (or the disk) gives room back; empty
     * otherwise, and always for a log that fails a full append instead. Thread-safe.
     */
    default Optional<String> waitingForRoom() {
        return Optional.empty();
    }

    /** When (System.nanoTime) appends last went on after {@link #waitingForRoom}; {@link Long#MIN_VALUE} if never. Thread-safe. */
    default long resumedAtNanos() {
        return Long.MIN_VALUE;
    }

    /** The backing store's kind: {@code "llpl"} or {@code "segment"}. */
    String storeKind();

    @Override
    void close();
}
