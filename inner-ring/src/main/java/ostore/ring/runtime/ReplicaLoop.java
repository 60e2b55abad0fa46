package ostore.ring.runtime;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import ostore.crypto.Hash32;
import ostore.ring.Clock;
import ostore.ring.SubmittedUpdate;
import ostore.ring.bft.Frames;
import ostore.ring.bft.PhaseTotals;
import ostore.ring.bft.Replica;
import ostore.ring.bft.ReplicaEnv;
import ostore.ring.bft.ReplicaStatus;
import ostore.ring.bft.RingConfig;
import ostore.ring.bft.Signed;
import ostore.ring.bft.TimerKey;
import ostore.ring.log.NoSpace;
import ostore.store.Outcome;

/**
 * The event loop of one replica in a real process. One platform thread owns the {@link Replica}
 * and runs, one at a time, whatever other threads queue (client updates, peer frames already
 * verified on the transport's threads, status queries) and the replica's timers when they fall
 * due. The replica therefore stays single-threaded, as in the simulator, and the expensive
 * signature checks of incoming frames run in parallel on the transport's threads.
 *
 * <p>The inbox is bounded, in items and in bytes of frames and updates waiting
 * ({@link #MAX_INBOX_BYTES}): a flood (even from a ring member, whose frames verify) costs a bounded
 * amount of memory, and what does not fit is refused at once, which the protocol treats as loss.
 *
 * <p>Batches execute on other threads ({@link ReplicaEnv#execute}): a pool of one thread per color,
 * up to the cores, writes each batch to the version store while the loop goes on ordering, and the
 * result comes back through a queue the loop drains after every task. One color's large update then
 * delays neither the agreement on other colors nor their execution. The version store must take
 * writes of different colors at once, as {@code RocksVersionStore} does (the simulator's memory
 * store, driven by one thread, need not).
 *
 * <p>Fail-stop: if the replica throws (its log cannot be written, an invariant broke) the loop
 * stops and refuses everything after, because a replica in an unknown state must not keep voting.
 * So does a stalled disk: a watchdog stops the replica ({@link StorageStalled}) when a log append
 * stays incomplete, a batch's store writes run, or the loop spends one step (which may
 * still wait on the disk where the core has not yet made it an effect) for longer than the stall
 * limit ({@link #stallLimit}, default {@link #DEFAULT_STALL_LIMIT}), naming what it waited on.
 */
public final class ReplicaLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReplicaLoop.class.getName());
    /** Queued items at most; at a few hundred bytes of bookkeeping each, a few tens of MB. */
    public static final int DEFAULT_INBOX_CAPACITY = 65_536;
    /** The JVM's heap limit, which the byte bounds below stay well inside. */
    private static final long HEAP_BYTES = Runtime.getRuntime().maxMemory();
    /**
     * Bytes of frames and signed updates waiting at most: 512 MiB, a few times the largest frame,
     * so one state-transfer page or large payload always fits while the replica keeps up; or a
     * quarter of the heap if that is less (at least the largest frame), so a replica run with a
     * small heap refuses work rather than run out of memory (a soak's replica with 256 MiB of heap
     * did, holding 2 MiB updates while it caught up).
     */
    public static final long MAX_INBOX_BYTES = Math.min(512L << 20, Math.max(RingConfig.MAX_FRAME_BYTES, HEAP_BYTES / 4));
    /**
     * Client updates are refused (the client retries) while the replica has this many bytes of
     * log records appended and not yet durable: the replica never waits for its log, so without
     * this a slow or stalled disk would let queued records and held messages grow without bound.
     * 256 MiB, or an eighth of the heap if that is less (at least 32 MiB).
     */
    public static final long MAX_UNSYNCED_LOG_BYTES = Math.min(256L << 20, Math.max(32L << 20, HEAP_BYTES / 8));
    /**
     * How long a disk operation may take before the replica is stopped as stalled: far above any
     * healthy fsync or store write (milliseconds), so only a hung device, not a slow one, trips it.
     */
    public static final java.time.Duration DEFAULT_STALL_LIMIT = java.time.Duration.ofSeconds(120);

    /** Sends a signed frame to a peer. Called on the loop's thread; must not block. */
    @FunctionalInterface
    public interface Peers {
        void send(int to, byte[] frame);
    }

    /**
     * Hands a signed reply to whichever client connection waits for the update, with its outcome
     * here if execution just returned it (see {@link ReplicaEnv#reply}). Must not block.
     */
    @FunctionalInterface
    public interface Replies {
        void reply(Hash32 updateDigest, byte[] signedReply, Outcome outcome);
    }

    private static final Runnable STOP = () -> { };
    /** Only wakes the loop, so it sees {@link #durable}. */
    private static final Runnable WAKE = () -> { };

    private final RingConfig config;
    private final int id;
    private final Clock clock;
    private final Peers peers;
    private final Replies replies;
    private final BlockingQueue<Runnable> inbox;
    private final Timers timers = new Timers();
    private final Thread thread;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private volatile Replica replica;
    private long lastMicros;
    private volatile boolean running = true;
    /** Set by the log's thread when a pipelined append became durable; the loop then calls {@link Replica#onDurable}. */
    private final AtomicBoolean durable = new AtomicBoolean();
    /** Bytes of the frames and updates queued and not yet handled. */
    private final AtomicLong inboxBytes = new AtomicLong();
    /** Applies batches off the loop's thread; the replica keeps one batch per color in it at most. */
    private final ExecutorService appliers;
    /** Results of applied batches, to hand to the replica on the loop's thread. */
    private final ConcurrentLinkedQueue<Runnable> applied = new ConcurrentLinkedQueue<>();
    /** Set when {@link #applied} got a result since the loop last looked, so one WAKE is queued. */
    private final AtomicBoolean appliedWake = new AtomicBoolean();
    private volatile Throwable failure;
    private volatile Runnable onFailure = () -> { };
    /** Stops the replica if its disk work stalls ({@link #stallLimit}). */
    private final StallWatchdog watchdog;

    private ReplicaLoop(RingConfig config, int id, Clock clock, Peers peers, Replies replies, int inboxCapacity) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.checkIndex(id, config.n());
        this.id = id;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.peers = Objects.requireNonNull(peers, "peers");
        this.replies = Objects.requireNonNull(replies, "replies");
        if (inboxCapacity < 1) {
            throw new IllegalArgumentException("inboxCapacity (" + inboxCapacity + ") must be >= 1");
        }
        this.inbox = new ArrayBlockingQueue<>(inboxCapacity);
        this.thread = Thread.ofPlatform().name("replica-" + id).unstarted(this::run);
        // Recovery (the first step) reads the whole log and is not watched: a long log is not a stalled one.
        this.watchdog = new StallWatchdog(thread, DEFAULT_STALL_LIMIT,
                () -> replica == null ? java.util.OptionalLong.empty() : replica.unsyncedLogSinceNanos(),
                started::isDone, this::stall);
        int threads = Math.max(1, Math.min(config.colors(), Runtime.getRuntime().availableProcessors()));
        this.appliers = Executors.newFixedThreadPool(threads,
                Thread.ofPlatform().name("replica-" + id + "-apply-", 0).daemon().factory());
    }

    /**
     * Builds the replica on the loop's thread through {@code factory} (which receives the
     * environment the replica must use), runs its recovery ({@link Replica#start}) there, and
     * returns once recovery finished.
     *
     * @throws IllegalStateException if construction or recovery failed; the loop is then stopped
     */
    public static ReplicaLoop start(RingConfig config, int id, Clock clock, Peers peers, Replies replies,
            int inboxCapacity, Function<ReplicaEnv, Replica> factory) {
        ReplicaLoop loop = new ReplicaLoop(config, id, clock, peers, replies, inboxCapacity);
        Objects.requireNonNull(factory, "factory");
        loop.inbox.add(() -> {
            loop.replica = factory.apply(loop.new Env());
            if (loop.replica.id() != id) {
                throw new IllegalArgumentException("the factory built replica " + loop.replica.id() + ", not " + id);
            }
            loop.replica.start();
            loop.started.complete(null);
        });
        loop.thread.start();
        Thread.ofPlatform().name("replica-" + id + "-watchdog").daemon().start(loop::watch);
        try {
            loop.started.join();
        } catch (java.util.concurrent.CompletionException e) {
            loop.close();
            throw new IllegalStateException("replica " + id + " did not start: " + e.getCause().getMessage(), e.getCause());
        }
        return loop;
    }

    public int id() {
        return id;
    }

    public RingConfig config() {
        return config;
    }

    /**
     * Runs {@code listener} (once, on the loop's thread, or on the watchdog's for a stalled disk) if
     * the replica stops on a failure, so the process can stop saying it serves. Set it right after
     * {@link #start}.
     */
    public void onFailure(Runnable listener) {
        this.onFailure = Objects.requireNonNull(listener, "listener");
        if (failure != null) {
            listener.run();
        }
    }

    /**
     * Sets how long a disk operation may take before the replica stops as stalled (default {@link
     * #DEFAULT_STALL_LIMIT}).
     */
    public void stallLimit(java.time.Duration limit) {
        watchdog.limit(limit);
    }

    /** Checks for a stalled disk once a second while the loop runs. */
    private void watch() {
        while (running) {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
            checkStalls(System.nanoTime());
        }
    }

    /**
     * Stops the replica ({@link StorageStalled}) if, at {@code nowNanos} (System.nanoTime), a log
     * append has been incomplete, a batch's store writes have run, or the loop has been in one step
     * for longer than the stall limit. The watchdog thread calls it every second; tests call it with
     * a later time.
     *
     * @return whether it stopped the replica
     */
    public boolean checkStalls(long nowNanos) {
        return failure == null && watchdog.check(nowNanos);
    }

    private void stall(String what) {
        StorageStalled e = new StorageStalled("replica " + id + " stopped: its storage stalled: " + what);
        failure = e;
        running = false;
        started.completeExceptionally(e);
        LOG.log(System.Logger.Level.ERROR, e.getMessage());
        onFailure.run();
    }

    /** The replica's failure if it stopped on one, else null. */
    public Throwable failure() {
        return failure;
    }

    /** The largest signed update the replica's log holds ({@link Replica#maxUpdateBytes()}). */
    public int maxUpdateBytes() {
        Replica r = replica;
        return r == null ? Integer.MAX_VALUE : r.maxUpdateBytes();
    }

    /** Why the replica takes no new client updates for want of log space, if so ({@link Replica#logRefusal()}). */
    public Optional<String> logRefusal() {
        Replica r = replica;
        return r == null ? Optional.empty() : r.logRefusal();
    }

    /**
     * Queues a client update whose signature the edge checked.
     *
     * @return false if the replica is stopped or its inbox is full (the client should retry)
     */
    public boolean submit(SubmittedUpdate update) {
        Objects.requireNonNull(update, "update");
        Replica r = replica;
        if (r != null && r.unsyncedLogBytes() > MAX_UNSYNCED_LOG_BYTES) {
            return false;
        }
        return offer(update.signedUpdate().length, () -> replica.onClientUpdate(update));
    }

    /**
     * Checks a frame from the network on the caller's thread, then queues it for the replica.
     * Frames that claim to come from this replica are dropped: it never sends itself one, so such
     * a frame can only be a replay.
     *
     * @return empty if the frame was queued; else why it was dropped (sent as this replica, the
     *     replica stopped, or its inbox is full), in words for a log line
     * @throws ostore.ring.bft.FrameException if the frame is malformed or its signature fails
     */
    public Optional<String> receive(byte[] frame) {
        Signed<?> message = Frames.decodeAndVerify(frame, config);
        if (message.sender() == id) {
            return Optional.of("it is signed by replica " + id + " itself (a replay: the replica never sends itself one)");
        }
        return offer(frame.length, () -> replica.onMessage(message)) ? Optional.empty() : Optional.of(stoppedOrBusy());
    }

    /** The replica's status, read on its thread; fails if the replica is stopped or too busy. */
    public CompletableFuture<ReplicaStatus> status() {
        CompletableFuture<ReplicaStatus> result = new CompletableFuture<>();
        if (!offer(() -> result.complete(replica.status()))) {
            result.completeExceptionally(new IllegalStateException(stoppedOrBusy()));
        }
        return result;
    }

    /** Where the replica's time went ({@link Replica#phases}), read on its thread. */
    public CompletableFuture<PhaseTotals> phases() {
        CompletableFuture<PhaseTotals> result = new CompletableFuture<>();
        if (!offer(() -> result.complete(replica.phases()))) {
            result.completeExceptionally(new IllegalStateException(stoppedOrBusy()));
        }
        return result;
    }

    private String stoppedOrBusy() {
        Throwable f = failure;
        return f != null ? "replica " + id + " stopped after a failure: " + f
                : !running ? "replica " + id + " is stopped" : "replica " + id + "'s inbox is full";
    }

    private boolean offer(Runnable task) {
        return running && inbox.offer(task);
    }

    /** Queues a task holding {@code bytes} of input, unless the inbox's bytes would pass the bound. */
    private boolean offer(long bytes, Runnable task) {
        if (inboxBytes.addAndGet(bytes) > MAX_INBOX_BYTES) {
            inboxBytes.addAndGet(-bytes);
            return false;
        }
        if (!offer(() -> {
            inboxBytes.addAndGet(-bytes);
            task.run();
        })) {
            inboxBytes.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    private void run() {
        try {
            while (running) {
                long wait = timers.nanosUntilNext(System.nanoTime());
                Runnable task = wait < 0 ? inbox.take() : inbox.poll(wait, TimeUnit.NANOSECONDS);
                if (task == STOP) {
                    break;
                }
                if (task != null) {
                    step(task);
                }
                if (durable.getAndSet(false)) {
                    step(replica::onDurable);
                }
                appliedWake.set(false);
                for (Runnable result = applied.poll(); result != null; result = applied.poll()) {
                    step(result);
                }
                for (TimerKey due : timers.takeDue(System.nanoTime())) {
                    step(() -> replica.onTimer(due));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            if (watchdog.stalled()) {
                return;
            }
            failure = e;
            started.completeExceptionally(e);
            if (e instanceof ostore.ring.bft.SafetyViolation) {
                // Said in one line: what broke is the invariant, not the code path that noticed it.
                LOG.log(System.Logger.Level.ERROR, "replica " + id + " stopped on a safety violation: " + e.getMessage());
            } else if (NoSpace.causedBy(e)) {
                // Also one line: the disk is full, whichever write found it so.
                LOG.log(System.Logger.Level.ERROR, "replica " + id + " stopped: its disk is full: " + e.getMessage());
            } else {
                LOG.log(System.Logger.Level.ERROR, "replica " + id + " stopped: it failed and may not act again", e);
            }
            try {
                onFailure.run();
            } catch (RuntimeException listenerFailure) {
                e.addSuppressed(listenerFailure);
            }
        } finally {
            running = false;
            started.completeExceptionally(new IllegalStateException("replica " + id + " stopped before it started"));
            inbox.clear();
        }
    }

    /** One step of the loop's thread, watched for a stall. */
    private void step(Runnable r) {
        watchdog.step(r);
    }

    /**
     * Stops the loop after the task it is running; the caller then closes the log and store. After
     * a stall it waits for nothing: the stuck thread may never return.
     */
    @Override
    public void close() {
        running = false;
        if (!inbox.offer(STOP)) {
            thread.interrupt();
        }
        if (watchdog.stalled()) {
            thread.interrupt();
            appliers.shutdownNow();
            return;
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The caller closes the store next: no batch may still be writing to it.
        appliers.shutdown();
        try {
            while (!appliers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "replica " + id + ": still waiting for a batch to finish "
                        + "writing to the version store before it closes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The replica's view of the world; every method runs on the loop's thread. */
    private final class Env implements ReplicaEnv {
        @Override
        public long nowMicros() {
            // The wall clock may step back (NTP); the replica was promised it never does.
            lastMicros = Math.max(lastMicros, clock.nowMicros());
            return lastMicros;
        }

        @Override
        public void send(int to, byte[] frame) {
            Objects.checkIndex(to, config.n());
            peers.send(to, frame);
        }

        @Override
        public void setTimer(TimerKey key, long afterMicros) {
            timers.arm(key, System.nanoTime(), Math.max(0, afterMicros));
        }

        @Override
        public void cancelTimer(TimerKey key) {
            timers.cancel(key);
        }

        @Override
        public void reply(Hash32 updateDigest, byte[] signedReply, Outcome outcome) {
            replies.reply(updateDigest, signedReply, outcome);
        }

        @Override
        public <T> void execute(int color, Supplier<T> apply, Consumer<T> done) {
            appliers.execute(() -> {
                Runnable then;
                try {
                    T result = watchdog.applying(apply);
                    then = () -> done.accept(result);
                } catch (RuntimeException | Error e) {
                    then = () -> {
                        throw e;
                    };
                } catch (Throwable t) {
                    // Only a checked exception thrown sneakily: lost, the color would wait forever.
                    then = () -> {
                        throw new IllegalStateException("applying a batch failed", t);
                    };
                }
                applied.add(then);
                if (!appliedWake.getAndSet(true)) {
                    inbox.offer(WAKE);
                }
            });
        }

        @Override
        public void durabilityAdvanced() {
            // From the log's thread. If the inbox is full the loop is busy and sees the flag anyway.
            if (!durable.getAndSet(true)) {
                inbox.offer(WAKE);
            }
        }
    }
}
