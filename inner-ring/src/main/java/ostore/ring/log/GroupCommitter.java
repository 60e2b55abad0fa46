package ostore.ring.log;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Turns many concurrent appends into few durable store appends. One writer thread takes whatever
 * is queued (up to {@code maxBatchBytes}), appends it in one atomic store call — one transaction or
 * one force — and then completes every waiter. Appends are written in the order they were queued,
 * so callers that queue under their own lock get positions in that lock's order.
 *
 * <p>A full store does not fail an append. When the store refuses one as full ({@link
 * LogFullException}, which changes nothing), the writer keeps it and everything queued after it,
 * in order, and tries again after each trim ({@link #roomFreed}) and every {@link #FULL_RETRY}
 * (a disk may get space back from outside): the appends complete late, never out of order and
 * never with an error for want of room. {@link #waitingForRoom} says so meanwhile, so that the
 * writer's users can stop taking new work and a watchdog does not take the wait for a hung disk.
 */
public final class GroupCommitter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GroupCommitter.class.getName());
    /** How often an append the store refused as full is tried again when no trim says room came back. */
    public static final Duration FULL_RETRY = Duration.ofSeconds(1);
    /** Bucket {@code i} counts batches of {@code [2^i, 2^(i+1))} appends. */
    public static final int HISTOGRAM_BUCKETS = 16;

    private final LogStore store;
    private final long maxBatchBytes;
    private final Runnable afterBatch;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong appends = new AtomicLong();
    private final AtomicLongArray histogram = new AtomicLongArray(HISTOGRAM_BUCKETS);
    private boolean closed;
    /** Set by {@link #close}: an append waiting for room then fails instead of waiting on. */
    private volatile boolean closing;
    /** Why the store refused the append the writer holds, while it waits for room; null otherwise. */
    private volatile LogFullException full;
    /** When (System.nanoTime) the store last refused an append as full; the writer thread only. */
    private long fullSinceNanos;
    /** When (System.nanoTime) appends last went on after waiting for room. */
    private volatile long resumedAtNanos = System.nanoTime();
    /** Guards {@link #roomMaybe}; the writer waits on it for room. */
    private final Object room = new Object();
    private boolean roomMaybe;

    private record Pending(ColorBatch batch, CompletableFuture<Long> done) {}

    private static final Pending STOP = new Pending(null, null);

    /**
     * Counters since start: batches written, appends in them, and the batch size histogram.
     *
     * @param batchSizeHistogram bucket {@code i} counts batches of {@code [2^i, 2^(i+1))} appends,
     *     the last bucket also everything larger
     */
    public record Stats(long batches, long appends, long[] batchSizeHistogram) {}

    /**
     * @param maxBatchBytes payload bytes after which a batch stops taking more appends (a single
     *     larger append still goes alone)
     * @param afterBatch runs on the writer thread after each batch is durable, before its waiters
     *     complete
     */
    public GroupCommitter(LogStore store, long maxBatchBytes, Runnable afterBatch) {
        if (maxBatchBytes < 1) {
            throw new IllegalArgumentException("maxBatchBytes (" + maxBatchBytes + ") must be >= 1");
        }
        this.store = store;
        this.maxBatchBytes = maxBatchBytes;
        this.afterBatch = afterBatch;
        this.writer = Thread.ofPlatform().name("log-group-commit-" + store.kind()).daemon().start(this::run);
    }

    /** Queues one append; the future completes with its first position once it is durable. */
    public CompletableFuture<Long> submit(int color, List<byte[]> records) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        ColorBatch batch;
        try {
            store.config().checkRecords(color, records);
            batch = new ColorBatch(color, records);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the group committer is closed"));
            }
            queue.add(new Pending(batch, done));
        }
        return done;
    }

    public Stats stats() {
        long[] h = new long[HISTOGRAM_BUCKETS];
        for (int i = 0; i < h.length; i++) {
            h[i] = histogram.get(i);
        }
        return new Stats(batches.get(), appends.get(), h);
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            stop = take(batch);
            if (!batch.isEmpty()) {
                write(batch);
                batch.clear();
            }
        }
    }

    /** Blocks for one append, then takes what else is queued; @return whether STOP was taken */
    private boolean take(List<Pending> batch) {
        Pending p;
        try {
            p = queue.take();
        } catch (InterruptedException e) {
            throw new IllegalStateException("the group commit writer must not be interrupted", e);
        }
        long bytes = 0;
        while (p != null) {
            if (p == STOP) {
                return true;
            }
            batch.add(p);
            bytes += p.batch.payloadBytes();
            p = bytes < maxBatchBytes ? queue.poll() : null;
        }
        return false;
    }

    /**
     * Appends {@code batch} in one store call; once the store is full, one append at a time, each
     * kept until it fits ({@link #awaitRoom}).
     */
    private void write(List<Pending> batch) {
        int written = 0;
        boolean singly = full != null;
        while (written < batch.size()) {
            List<Pending> group = batch.subList(written, singly ? written + 1 : batch.size());
            long[] firsts;
            try {
                if (closing && full != null) {
                    throw new IllegalStateException("the log closed while full; this append was not written", full);
                }
                firsts = store.append(group.stream().map(Pending::batch).toList());
            } catch (LogFullException e) {
                // The store changed nothing. Single appends from here: the first may fit where the group did not.
                if (singly || group.size() == 1) {
                    awaitRoom(e);
                }
                singly = true;
                continue;
            } catch (RuntimeException | Error e) {
                batch.subList(written, batch.size()).forEach(p -> p.done.completeExceptionally(e));
                return;
            }
            if (full != null) {
                resumed();
            }
            batches.incrementAndGet();
            appends.addAndGet(group.size());
            histogram.incrementAndGet(Math.min(HISTOGRAM_BUCKETS - 1, 63 - Long.numberOfLeadingZeros(group.size())));
            afterBatch.run();
            for (int i = 0; i < group.size(); i++) {
                group.get(i).done.complete(firsts[i]);
            }
            written += group.size();
        }
    }

    /** Waits until a trim may have freed room, {@link #FULL_RETRY} passes, or the committer closes. */
    private void awaitRoom(LogFullException e) {
        if (full == null) {
            fullSinceNanos = System.nanoTime();
            full = e;
            LOG.log(System.Logger.Level.WARNING, "the {0} log is full: appends wait, in order, and are tried again"
                    + " after each trim and every {1} s: {2}", store.kind(), FULL_RETRY.toSeconds(), e.getMessage());
        }
        synchronized (room) {
            long deadline = System.nanoTime() + FULL_RETRY.toNanos();
            for (long left = FULL_RETRY.toNanos(); !roomMaybe && !closing && left > 0; left = deadline - System.nanoTime()) {
                try {
                    room.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException ie) {
                    throw new IllegalStateException("the group commit writer must not be interrupted", ie);
                }
            }
            roomMaybe = false;
        }
    }

    private void resumed() {
        long now = System.nanoTime();
        LOG.log(System.Logger.Level.INFO, "the {0} log has room again: appends go on after waiting {1} ms",
                store.kind(), (now - fullSinceNanos) / 1_000_000);
        full = null;
        resumedAtNanos = now;
    }

    /** A trim may have freed room: an append waiting for it is tried again now. Any thread. */
    public void roomFreed() {
        synchronized (room) {
            roomMaybe = true;
            room.notifyAll();
        }
    }

    /** Why appends wait for room now (the store refused one as full), or null if they do not. Thread-safe. */
    public LogFullException waitingForRoom() {
        return full;
    }

    /** When (System.nanoTime) appends last went on after waiting for room, or this committer started. Thread-safe. */
    public long resumedAtNanos() {
        return resumedAtNanos;
    }

    /** Writes everything queued so far, then stops the writer thread. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        }
        closing = true;
        roomFreed();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while draining the group committer", e);
        }
    }
}
