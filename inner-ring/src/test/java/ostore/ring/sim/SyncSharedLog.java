package ostore.ring.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import ostore.ring.log.ColorBatch;
import ostore.ring.log.LogEntry;
import ostore.ring.log.LogStore;
import ostore.ring.log.SharedLog;
import ostore.ring.log.Subscription;

/**
 * A {@link SharedLog} for the single-threaded simulation. {@code LocalSharedLog} commits through
 * a writer thread and feeds subscriptions from threads of their own; neither can run inside a
 * seeded simulation, so the simulator gives each replica this instead. {@link #append} is durable
 * when it returns. {@link #appendAsync} models the group committer: the append waits in memory
 * until a sync event the simulation schedules (after a seeded delay) writes every waiting append
 * in one atomic store append and completes their futures in order; a crash before then loses
 * them, futures never completing, as a real process's queued appends die with it. A synchronous
 * append first makes everything queued before it durable, as the committer's FIFO does.
 *
 * <p>Subscriptions are refused: the replica core reads its log by position, and a subscription
 * here could only be served re-entrantly from inside {@link #append}, which no real log does.
 */
final class SyncSharedLog implements SharedLog {
    /** Runs a sync of the queued appends later, in simulated time. */
    @FunctionalInterface
    interface SyncScheduler {
        void schedule(Runnable sync);
    }

    private record Queued(ColorBatch batch, CompletableFuture<Long> done) {}

    private final LogStore store;
    private final SyncScheduler scheduler;
    private final List<Queued> queued = new ArrayList<>();
    private boolean syncScheduled;
    private boolean crashed;

    /** Every append durable at once. */
    SyncSharedLog(LogStore store) {
        this(store, null);
    }

    /** Asynchronous appends durable at the sync {@code scheduler} runs; null for at once. */
    SyncSharedLog(LogStore store, SyncScheduler scheduler) {
        this.store = store;
        this.scheduler = scheduler;
    }

    /** Bytes of records queued and not yet synced. */
    long queuedBytes() {
        long bytes = 0;
        for (Queued q : queued) {
            for (byte[] r : q.batch().records()) {
                bytes += r.length;
            }
        }
        return bytes;
    }

    /** The machine crashed: queued appends never become durable. */
    void crash() {
        crashed = true;
        queued.clear();
    }

    private void sync() {
        syncScheduled = false;
        if (crashed || queued.isEmpty()) {
            return;
        }
        List<Queued> group = List.copyOf(queued);
        queued.clear();
        long[] firsts;
        try {
            firsts = store.append(group.stream().map(Queued::batch).toList());
        } catch (RuntimeException e) {
            group.forEach(q -> q.done().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            group.get(i).done().complete(firsts[i]);
        }
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
        sync();
        return store.append(List.of(new ColorBatch(color, records)))[0];
    }

    @Override
    public CompletableFuture<Long> appendAsync(int color, List<byte[]> records) {
        if (scheduler != null) {
            CompletableFuture<Long> done = new CompletableFuture<>();
            queued.add(new Queued(new ColorBatch(color, List.copyOf(records)), done));
            if (!syncScheduled) {
                syncScheduled = true;
                scheduler.schedule(this::sync);
            }
            return done;
        }
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
