package ostore.ring.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import ostore.ring.log.ColorBatch;
import ostore.ring.log.GroupCommitter;
import ostore.ring.log.LogEntry;
import ostore.ring.log.LogFullException;
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
 * <p>A store that refuses an append as full ({@link LogFullException}) is waited out as the group
 * committer does: that append and every later one stay queued, in order, and are tried again, one
 * at a time, after each trim and every {@link GroupCommitter#FULL_RETRY} of simulated time;
 * {@link #waitingForRoom} says so meanwhile.
 *
 * <p>Subscriptions are refused: the replica core reads its log by position, and a subscription
 * here could only be served re-entrantly from inside {@link #append}, which no real log does.
 */
final class SyncSharedLog implements SharedLog {
    /** Runs a sync of the queued appends later, in simulated time. */
    @FunctionalInterface
    interface SyncScheduler {
        /** Runs {@code sync} after a sync's own delay, or after at least {@code afterMicros} if that is larger. */
        void schedule(Runnable sync, long afterMicros);
    }

    private record Queued(ColorBatch batch, CompletableFuture<Long> done) {}

    private final LogStore store;
    private final SyncScheduler scheduler;
    private final List<Queued> queued = new ArrayList<>();
    private boolean syncScheduled;
    private boolean crashed;
    /** Why the store refused the oldest queued append, while appends wait for room; null otherwise. */
    private LogFullException full;
    /** Whether a trim has scheduled a try of the waiting appends that has not run yet. */
    private boolean retryScheduled;

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
        if (full != null) {
            syncSingly();
            return;
        }
        List<Queued> group = List.copyOf(queued);
        long[] firsts;
        try {
            firsts = store.append(group.stream().map(Queued::batch).toList());
        } catch (LogFullException e) {
            // Nothing changed: one at a time from here, the first may fit where the group did not.
            full = e;
            syncSingly();
            return;
        } catch (RuntimeException e) {
            queued.clear();
            group.forEach(q -> q.done().completeExceptionally(e));
            return;
        }
        queued.clear();
        for (int i = 0; i < group.size(); i++) {
            group.get(i).done().complete(firsts[i]);
        }
    }

    /** Appends what is queued one at a time until the store refuses one; then waits for a trim or the retry. */
    private void syncSingly() {
        while (!queued.isEmpty()) {
            Queued q = queued.getFirst();
            long first;
            try {
                first = store.append(List.of(q.batch()))[0];
            } catch (LogFullException e) {
                full = e;
                scheduleSync(GroupCommitter.FULL_RETRY.toNanos() / 1_000);
                return;
            } catch (RuntimeException e) {
                List<Queued> failed = List.copyOf(queued);
                queued.clear();
                failed.forEach(f -> f.done().completeExceptionally(e));
                return;
            }
            queued.removeFirst();
            q.done().complete(first);
        }
        full = null;
    }

    private void scheduleSync(long afterMicros) {
        if (!syncScheduled) {
            syncScheduled = true;
            scheduler.schedule(this::sync, afterMicros);
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
        if (!queued.isEmpty()) {
            throw new IllegalStateException("a synchronous append while queued appends wait for room would overtake them");
        }
        return store.append(List.of(new ColorBatch(color, records)))[0];
    }

    @Override
    public CompletableFuture<Long> appendAsync(int color, List<byte[]> records) {
        if (scheduler != null) {
            CompletableFuture<Long> done = new CompletableFuture<>();
            queued.add(new Queued(new ColorBatch(color, List.copyOf(records)), done));
            scheduleSync(0);
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
        if (full != null && scheduler != null && !retryScheduled) {
            // Room may have come back: the waiting append is tried again now, not at the next retry.
            retryScheduled = true;
            scheduler.schedule(() -> {
                retryScheduled = false;
                sync();
            }, 0);
        }
    }

    @Override
    public long bytesUsed() {
        return store.bytesUsed();
    }

    @Override
    public long capacityBytes() {
        return store.capacityBytes();
    }

    @Override
    public boolean holdsOldest(int color) {
        return store.holdsOldest(color);
    }

    @Override
    public Optional<String> waitingForRoom() {
        return full == null ? Optional.empty() : Optional.of(full.getMessage());
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
