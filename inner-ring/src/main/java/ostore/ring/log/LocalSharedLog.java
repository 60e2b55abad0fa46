package ostore.ring.log;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The shared log kept by one machine: a {@link LogStore} written through a {@link GroupCommitter},
 * with subscriptions woken after every durable batch. It owns the store and closes it.
 */
public final class LocalSharedLog implements SharedLog {
    /** Entries a subscription reads from the store at a time. */
    private static final int SUBSCRIPTION_READ_RECORDS = 256;

    private final LogStore store;
    private final GroupCommitter committer;
    /** Runs {@link #trimAsync}'s trims, one at a time, in the order asked for. */
    private final ExecutorService trimmer;
    private final ReentrantLock appendedLock = new ReentrantLock();
    private final Condition appended = appendedLock.newCondition();
    private final Set<LogSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** @param maxBatchBytes payload bytes one group commit takes at most (one append may exceed it) */
    public LocalSharedLog(LogStore store, long maxBatchBytes) {
        this.store = store;
        this.committer = new GroupCommitter(store, maxBatchBytes, this::signalAppended);
        this.trimmer = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("log-trim-" + store.kind()).daemon()
                .factory());
    }

    /**
     * A log over {@code store} whose group commits take up to 8 MiB of payload, or an extent's
     * worth if less ({@link LogStoreConfig#extentBytes()}): a group is one frame, and a frame larger
     * than an extent takes an extent of its own, which a small pool may not have room for.
     */
    public static LocalSharedLog over(LogStore store) {
        return new LocalSharedLog(store, Math.min(8L << 20, store.config().extentBytes()));
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
        store.config().checkRecords(color, records);
        try {
            return appendAsync(color, records).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    @Override
    public CompletableFuture<Long> appendAsync(int color, List<byte[]> records) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the shared log is closed"));
        }
        return committer.submit(color, records);
    }

    @Override
    public List<LogEntry> read(int color, long from, int maxRecords) {
        return store.read(color, from, maxRecords);
    }

    @Override
    public List<LogEntry> read(int color, long from, int maxRecords, long maxBytes) {
        return store.read(color, from, maxRecords, maxBytes);
    }

    /** Bytes of media the log takes now; see {@link LogStore#bytesUsed()}. */
    @Override
    public long bytesUsed() {
        return store.bytesUsed();
    }

    /** See {@link LogStore#capacityBytes()}. */
    @Override
    public long capacityBytes() {
        return store.capacityBytes();
    }

    @Override
    public boolean holdsOldest(int color) {
        return store.holdsOldest(color);
    }

    @Override
    public Subscription subscribe(int color, long from, Consumer<LogEntry> consumer) {
        store.config().checkColor(color);
        if (closed) {
            throw new IllegalStateException("the shared log is closed");
        }
        LogBounds.checkRead(color, from, 1, store.firstPosition(color), store.nextPosition(color));
        LogSubscription s = new LogSubscription(color, from, consumer);
        subscriptions.add(s);
        s.start();
        return s;
    }

    @Override
    public void trim(int color, long upTo) {
        store.trim(color, upTo);
        committer.roomFreed();
    }

    /**
     * Trims on the log's trimming thread: a trim waits for the group commit writing now and then
     * makes itself durable (a sync of its own on llpl), which the caller (a replica's thread) must
     * not wait for. A bad color fails the future, as {@link #trim} would throw.
     */
    @Override
    public CompletableFuture<Void> trimAsync(int color, long upTo) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the shared log is closed"));
        }
        try {
            return CompletableFuture.runAsync(() -> trim(color, upTo), trimmer);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the shared log is closed", e));
        }
    }

    @Override
    public Optional<String> waitingForRoom() {
        LogFullException full = committer.waitingForRoom();
        return full == null ? Optional.empty() : Optional.of(full.getMessage());
    }

    @Override
    public long resumedAtNanos() {
        return committer.resumedAtNanos();
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

    /** Group commit counters, for the node's metrics. */
    public GroupCommitter.Stats groupCommitStats() {
        return committer.stats();
    }

    /** Waits for queued appends to become durable, stops every subscription, then closes the store. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Trims asked for before the close still run: the store stays open until they are done.
        trimmer.close();
        committer.close();
        for (LogSubscription s : List.copyOf(subscriptions)) {
            s.close();
        }
        store.close();
    }

    private void signalAppended() {
        appendedLock.lock();
        try {
            appended.signalAll();
        } finally {
            appendedLock.unlock();
        }
    }

    /** Delivers one color on its own thread: read what is there, else wait for the next batch. */
    private final class LogSubscription implements Subscription {
        private final int color;
        private final Consumer<LogEntry> consumer;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final Thread thread;
        private volatile boolean stopped;
        private long next;

        LogSubscription(int color, long from, Consumer<LogEntry> consumer) {
            this.color = color;
            this.next = from;
            this.consumer = consumer;
            this.thread = Thread.ofPlatform().name("log-subscription-c" + color).daemon().unstarted(this::run);
        }

        void start() {
            thread.start();
        }

        private void run() {
            try {
                while (!stopped) {
                    List<LogEntry> entries = store.read(color, next, SUBSCRIPTION_READ_RECORDS);
                    for (LogEntry e : entries) {
                        if (stopped) {
                            break;
                        }
                        consumer.accept(e);
                        next = e.position() + 1;
                    }
                    if (entries.isEmpty()) {
                        awaitBeyond(next);
                    }
                }
                done.complete(null);
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            } finally {
                subscriptions.remove(this);
            }
        }

        private void awaitBeyond(long position) {
            appendedLock.lock();
            try {
                while (!stopped && store.nextPosition(color) <= position) {
                    appended.awaitUninterruptibly();
                }
            } finally {
                appendedLock.unlock();
            }
        }

        @Override
        public CompletableFuture<Void> done() {
            return done;
        }

        @Override
        public void close() {
            stopped = true;
            signalAppended();
            if (Thread.currentThread() != thread) {
                done.exceptionally(e -> null).join();
            }
        }
    }
}
