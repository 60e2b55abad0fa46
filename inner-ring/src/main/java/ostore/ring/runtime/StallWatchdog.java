package ostore.ring.runtime;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Watches one replica's disk work for a stall ({@link ReplicaLoop}): the oldest log append not yet
 * durable, the batches being written to the store, and the loop's thread inside one step (which may
 * wait on the disk where the core does not yet make it an effect). One that lasts longer than the
 * limit is reported once, naming what it waited on; the loop then stops the replica.
 */
final class StallWatchdog {
    private final Thread loopThread;
    private final Supplier<OptionalLong> unsyncedSince;
    private final BooleanSupplier watchingSteps;
    private final Consumer<String> onStall;
    private volatile long limitNanos;
    /** Whether the loop's thread is in a step, and since when (System.nanoTime). */
    private volatile boolean busy;
    private volatile long busySince;
    /** The apply threads writing a batch now, and since when. */
    private final ConcurrentHashMap<Thread, Long> applying = new ConcurrentHashMap<>();
    private volatile boolean stalled;

    /**
     * @param unsyncedSince when the oldest incomplete log append was queued, if any
     * @param watchingSteps whether the loop's steps are watched yet (not during recovery)
     * @param onStall told once, what stalled
     */
    StallWatchdog(Thread loopThread, Duration limit, Supplier<OptionalLong> unsyncedSince, BooleanSupplier watchingSteps,
            Consumer<String> onStall) {
        this.loopThread = loopThread;
        this.unsyncedSince = unsyncedSince;
        this.watchingSteps = watchingSteps;
        this.onStall = onStall;
        limit(limit);
    }

    void limit(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("stall limit (" + limit + ") must be positive");
        }
        limitNanos = limit.toNanos();
    }

    boolean stalled() {
        return stalled;
    }

    /** Runs {@code r}, one step of the loop's thread, watched. */
    void step(Runnable r) {
        busySince = System.nanoTime();
        busy = true;
        try {
            r.run();
        } finally {
            busy = false;
        }
    }

    /** Runs {@code apply}, a batch's store writes on the calling apply thread, watched. */
    <T> T applying(Supplier<T> apply) {
        applying.put(Thread.currentThread(), System.nanoTime());
        try {
            return apply.get();
        } finally {
            applying.remove(Thread.currentThread());
        }
    }

    /** @return whether, at {@code nowNanos}, something stalled (reported now, and only the first time) */
    synchronized boolean check(long nowNanos) {
        if (stalled) {
            return false;
        }
        long limit = limitNanos;
        OptionalLong unsynced = unsyncedSince.get();
        if (unsynced.isPresent() && nowNanos - unsynced.getAsLong() > limit) {
            return stall("a log append or trim has not completed for " + seconds(nowNanos - unsynced.getAsLong())
                    + " (the log's device stopped answering)");
        }
        for (var e : applying.entrySet()) {
            if (nowNanos - e.getValue() > limit) {
                return stall("a batch's store writes have run for " + seconds(nowNanos - e.getValue())
                        + ", in " + operation(e.getKey()));
            }
        }
        long since = busySince;
        if (busy && watchingSteps.getAsBoolean() && nowNanos - since > limit) {
            return stall("the replica's thread has spent " + seconds(nowNanos - since) + " in one step, in "
                    + operation(loopThread));
        }
        return false;
    }

    private boolean stall(String what) {
        stalled = true;
        onStall.accept(what);
        return true;
    }

    private static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }

    /** The innermost ostore method {@code t} is in: the operation it waits on. */
    private static String operation(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            String c = e.getClassName();
            if (c.startsWith("ostore.") && !c.startsWith("ostore.ring.runtime.")) {
                return c + "." + e.getMethodName();
            }
        }
        return "thread " + t.getName();
    }
}
