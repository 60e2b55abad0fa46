package ostore.ring;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import ostore.ring.log.LocalSharedLog;
import ostore.ring.log.LogEntry;
import ostore.ring.log.LogFullException;
import ostore.ring.log.LogStoreConfig;
import ostore.ring.log.LogStores;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Outcome;
import ostore.store.VersionStore;

/**
 * The ring with one replica (n = 1): submissions get a timestamp, are appended to color 0 of the
 * shared log through group commit, and execute on one thread in log order. On start it replays the
 * log suffix the version store has not applied, then checkpoints. It checkpoints (syncs the store
 * and trims the log) every {@code checkpointInterval} updates, and also whenever the log has grown
 * by a quarter of its capacity since the last checkpoint: the log is trimmed only at a checkpoint,
 * so a count alone would let large records fill a bounded log (the llpl pool) before the count is
 * reached, and a full log executes nothing, so no count would ever be reached again. The byte
 * trigger is the guard; no check on the options could replace it, since records vary in size. The
 * caller owns the version store; the ring owns its log.
 *
 * <p>Memory: replay reads the log {@value #REPLAY_READ_BYTES} bytes at a time, and the updates
 * queued for the log and for execution hold at most {@link Options#maxQueuedBytes()} bytes of
 * records; past that, {@link #submit} fails at once with a {@link RingOverloadedException}.
 */
public final class LocalRing implements Ring {
    private static final System.Logger LOG = System.getLogger(LocalRing.class.getName());
    private static final int COLOR = 0;
    private static final int REPLAY_READ_RECORDS = 256;
    private static final long REPLAY_READ_BYTES = 64L << 20;
    /** The log may grow by capacity / this between checkpoints. */
    private static final int LOG_GROWTH_DIVISOR = 4;

    /**
     * @param checkpointInterval executed updates between checkpoints (store sync, log trim); the
     *     log's growth triggers one earlier
     * @param logStore which log store to open
     * @param logConfig the log's sizing; {@code logConfig.colors()} is the color count
     * @param maxQueuedBytes record bytes that submitted updates not yet executed may hold; at least
     *     one largest record
     */
    public record Options(int checkpointInterval, LogStores.Preference logStore, LogStoreConfig logConfig,
            int maxQueuedBytes) {
        public static final int DEFAULT_MAX_QUEUED_BYTES = 256 << 20;
        public static final Options DEFAULT = new Options(10_000, LogStores.Preference.AUTO, LogStoreConfig.DEFAULT);

        public Options {
            if (checkpointInterval < 1) {
                throw new IllegalArgumentException("checkpointInterval (" + checkpointInterval + ") must be >= 1");
            }
            Objects.requireNonNull(logStore, "logStore");
            Objects.requireNonNull(logConfig, "logConfig");
            if (maxQueuedBytes < logConfig.maxRecordBytes()) {
                throw new IllegalArgumentException("maxQueuedBytes (" + maxQueuedBytes
                        + ") must hold one largest record, logConfig.maxRecordBytes (" + logConfig.maxRecordBytes() + ")");
            }
        }

        /** With {@link #DEFAULT_MAX_QUEUED_BYTES}. */
        public Options(int checkpointInterval, LogStores.Preference logStore, LogStoreConfig logConfig) {
            this(checkpointInterval, logStore, logConfig, DEFAULT_MAX_QUEUED_BYTES);
        }
    }

    private record Pending(long timestamp, AuthenticatedUpdate update, CompletableFuture<Long> appended,
            CompletableFuture<Outcome> result) {}

    private static final Pending STOP = new Pending(0, null, null, null);

    private final LocalSharedLog log;
    private final VersionStore store;
    private final Clock clock;
    private final Options options;
    private final List<ExecutionListener> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Pending> execution = new LinkedBlockingQueue<>();
    private final Thread executor;
    private final Object submitLock = new Object();
    private final Semaphore queuedBytes;
    private long lastTimestamp;
    private boolean closed;
    private volatile long lastExecuted;
    private volatile long stableCheckpoint;
    private volatile Throwable failure;
    private int sinceCheckpoint;
    private long logBytesAtCheckpoint;

    private LocalRing(LocalSharedLog log, VersionStore store, Clock clock, Options options) {
        this.log = log;
        this.queuedBytes = new Semaphore(options.maxQueuedBytes());
        this.store = store;
        this.clock = clock;
        this.options = options;
        this.executor = Thread.ofPlatform().name("ring-execution").unstarted(this::runExecution);
    }

    /**
     * Opens the log in {@code logDir}, replays every record after {@code store.appliedPosition(0)},
     * checkpoints, and only then accepts submissions.
     *
     * @throws IllegalStateException if the log and the store disagree so that updates would be lost
     *     or applied twice, or a replayed update fails
     */
    public static LocalRing start(Path logDir, VersionStore store, RecordDecoder decoder, Clock clock,
            Options options) {
        Objects.requireNonNull(logDir, "logDir");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(options, "options");
        LocalSharedLog log = LocalSharedLog.failingWhenFull(LogStores.open(logDir, options.logStore(), options.logConfig()));
        try {
            LocalRing ring = new LocalRing(log, store, clock, options);
            ring.replay(decoder);
            ring.checkpointAfterReplay();
            ring.executor.start();
            return ring;
        } catch (RuntimeException | Error e) {
            log.close();
            throw e;
        }
    }

    private void replay(RecordDecoder decoder) {
        long applied = store.appliedPosition(COLOR);
        long first = log.firstPosition(COLOR);
        long next = log.nextPosition(COLOR);
        if (applied + 1 < first || applied >= next) {
            throw new IllegalStateException("version store applied position " + applied
                    + " does not meet the log, which holds positions [" + first + ", " + next + ")");
        }
        if (next > first) {
            lastTimestamp = LogRecord.decode(log.read(COLOR, next - 1, 1).getFirst().payload()).timestampMicros();
        }
        for (long p = applied + 1; p < next; ) {
            for (LogEntry e : log.read(COLOR, p, REPLAY_READ_RECORDS, REPLAY_READ_BYTES)) {
                LogRecord r = LogRecord.decode(e.payload());
                store.apply(decoder.decode(r.signedUpdate()), r.timestampMicros(), COLOR, e.position());
                p = e.position() + 1;
            }
        }
        lastExecuted = Math.max(applied, next - 1);
        stableCheckpoint = first - 1;
        if (next - 1 > applied) {
            LOG.log(System.Logger.Level.INFO, "ring: replayed log positions {0} to {1}", applied + 1, next - 1);
        }
    }

    /**
     * A restart after a crash may find a log too full to append to; replaying alone trims nothing,
     * so the node would stay stuck. A checkpoint now frees what the replay executed.
     */
    private void checkpointAfterReplay() {
        logBytesAtCheckpoint = log.bytesUsed();
        if (lastExecuted > stableCheckpoint) {
            checkpoint();
            if (failure != null) {
                throw new IllegalStateException("the checkpoint after replaying the log failed", failure);
            }
        }
    }

    @Override
    public CompletableFuture<Outcome> submit(SubmittedUpdate update) {
        Objects.requireNonNull(update, "update");
        synchronized (submitLock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the ring is closed"));
            }
            if (failure != null) {
                return CompletableFuture.failedFuture(stopped());
            }
            // Timestamps follow log order because the append is queued under the same lock.
            int cost = LogRecord.HEADER_BYTES + update.signedUpdate().length;
            if (!queuedBytes.tryAcquire(cost)) {
                return CompletableFuture.failedFuture(new RingOverloadedException("the ring's queue is full: "
                        + "updates waiting for the log and for execution hold up to maxQueuedBytes ("
                        + options.maxQueuedBytes() + ") and this one needs " + cost + "; it was not ordered, try again"));
            }
            long timestamp = Math.max(clock.nowMicros(), lastTimestamp);
            lastTimestamp = timestamp;
            byte[] record = new LogRecord(timestamp, update.signedUpdate()).encode();
            Pending p = new Pending(timestamp, update.decoded(), log.appendAsync(COLOR, List.of(record)),
                    new CompletableFuture<>());
            p.result.whenComplete((outcome, error) -> queuedBytes.release(cost));
            execution.add(p);
            return p.result;
        }
    }

    private void runExecution() {
        for (Pending p = take(); p != STOP; p = take()) {
            if (failure != null) {
                p.result.completeExceptionally(stopped());
                continue;
            }
            long position;
            try {
                position = p.appended.join();
            } catch (CompletionException e) {
                p.result.completeExceptionally(appendFailed(e.getCause()));
                continue;
            }
            execute(p, position);
        }
        if (failure == null && lastExecuted > stableCheckpoint) {
            checkpoint();
        }
    }

    /**
     * A full log gets a checkpoint at once, which frees it for the updates behind this one. This
     * update is not appended again here: later updates may already have taken positions after it,
     * and execution must follow log order, so it fails, unordered, and its sender may resend it.
     */
    private Throwable appendFailed(Throwable cause) {
        if (!(cause instanceof LogFullException)) {
            return cause;
        }
        if (lastExecuted > stableCheckpoint) {
            checkpoint();
        }
        return new LogFullException("the shared log was full, so this update was not ordered; the ring "
                + "checkpointed to free the log, and the update may be sent again", cause);
    }

    private Pending take() {
        try {
            return execution.take();
        } catch (InterruptedException e) {
            throw new IllegalStateException("the ring's execution thread must not be interrupted", e);
        }
    }

    private void execute(Pending p, long position) {
        Outcome outcome;
        try {
            if (position != lastExecuted + 1) {
                throw new IllegalStateException("log position " + position + " does not follow the last executed "
                        + lastExecuted + ": another writer appended to color " + COLOR);
            }
            outcome = store.apply(p.update, p.timestamp, COLOR, position);
        } catch (RuntimeException | Error e) {
            stop(position, e);
            p.result.completeExceptionally(e);
            return;
        }
        lastExecuted = position;
        p.result.complete(outcome);
        for (ExecutionListener l : listeners) {
            try {
                l.executed(position, outcome);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "ring: an execution listener failed at position " + position, e);
            }
        }
        if (++sinceCheckpoint >= options.checkpointInterval() || logGrewTooMuch()) {
            checkpoint();
        }
    }

    private boolean logGrewTooMuch() {
        long capacity = log.capacityBytes();
        return capacity != Long.MAX_VALUE
                && log.bytesUsed() - logBytesAtCheckpoint > capacity / LOG_GROWTH_DIVISOR;
    }

    private void checkpoint() {
        try {
            store.sync();
            log.trim(COLOR, lastExecuted + 1);
        } catch (RuntimeException | Error e) {
            stop(lastExecuted, e);
            return;
        }
        stableCheckpoint = lastExecuted;
        sinceCheckpoint = 0;
        logBytesAtCheckpoint = log.bytesUsed();
    }

    private void stop(long position, Throwable cause) {
        failure = cause;
        LOG.log(System.Logger.Level.ERROR, "ring: stopped at log position " + position
                + "; a replica that cannot execute deterministically must not go on", cause);
    }

    private IllegalStateException stopped() {
        return new IllegalStateException("the ring stopped after an execution failure", failure);
    }

    @Override
    public void addExecutionListener(ExecutionListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public RingStatus status() {
        return new RingStatus(1, log.storeKind(), lastExecuted, stableCheckpoint);
    }

    /** Executes what was submitted, checkpoints, and closes the log; the version store stays open. */
    @Override
    public void close() {
        synchronized (submitLock) {
            if (closed) {
                return;
            }
            closed = true;
            execution.add(STOP);
        }
        try {
            executor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while draining the ring", e);
        } finally {
            log.close();
        }
    }
}
