package ostore.ring.sim;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import ostore.ring.log.ColorBatch;
import ostore.ring.log.LogEntry;
import ostore.ring.log.LogStore;
import ostore.ring.log.SharedLog;
import ostore.ring.log.Subscription;

/**
 * A {@link SharedLog} that appends on the caller's thread. {@code LocalSharedLog} commits through
 * a writer thread and feeds subscriptions from threads of their own; neither can run inside a
 * single-threaded, seeded simulation, so the simulator gives each replica this instead. Appends
 * are durable when they return, exactly as with the group committer.
 *
 * <p>Subscriptions are refused: the replica core reads its log by position, and a subscription
 * here could only be served re-entrantly from inside {@link #append}, which no real log does.
 */
final class SyncSharedLog implements SharedLog {
    private final LogStore store;

    SyncSharedLog(LogStore store) {
        this.store = store;
    }

    @Override
    public int colors() {
        return store.config().colors();
    }

    @Override
    public int maxRecordBytes() {
        return store.config().maxRecordBytes();
    }

    @Override
    public long append(int color, List<byte[]> records) {
        return store.append(List.of(new ColorBatch(color, records)))[0];
    }

    @Override
    public CompletableFuture<Long> appendAsync(int color, List<byte[]> records) {
        try {
            return CompletableFuture.completedFuture(append(color, records));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public List<LogEntry> read(int color, long from, int maxRecords) {
        return store.read(color, from, maxRecords);
    }

    @Override
    public Subscription subscribe(int color, long from, Consumer<LogEntry> consumer) {
        throw new UnsupportedOperationException("the simulator's shared log has no subscriptions: read by position");
    }

    @Override
    public void trim(int color, long upTo) {
        store.trim(color, upTo);
    }

    @Override
    public long firstPosition(int color) {
        return store.firstPosition(color);
    }

    @Override
    public long nextPosition(int color) {
        return store.nextPosition(color);
    }

    @Override
    public String storeKind() {
        return store.kind();
    }

    @Override
    public void close() {
        store.close();
    }
}
