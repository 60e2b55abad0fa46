package ostore.ring.log;

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
 */
public final class GroupCommitter implements AutoCloseable {
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

    private void write(List<Pending> batch) {
        long[] firsts;
        try {
            firsts = store.append(batch.stream().map(Pending::batch).toList());
        } catch (RuntimeException | Error e) {
            batch.forEach(p -> p.done.completeExceptionally(e));
            return;
        }
        batches.incrementAndGet();
        appends.addAndGet(batch.size());
        histogram.incrementAndGet(Math.min(HISTOGRAM_BUCKETS - 1, 63 - Long.numberOfLeadingZeros(batch.size())));
        afterBatch.run();
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done.complete(firsts[i]);
        }
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
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while draining the group committer", e);
        }
    }
}
