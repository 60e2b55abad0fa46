package ostore.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * How every end-to-end driver measures closed-loop clients: each client connects, sets up and runs
 * its warm-up on its own, then waits; once all have, the wall clock and the CPU counter start and
 * all clients measure together. So neither set-up nor warm-up (nor the JIT's work in them) is
 * charged to the measured operations, for ostore and for its peers alike.
 */
final class ClosedLoop {
    /** One client's run: sets up and warms up, calls {@link Start#await}, then returns what it measured. */
    @FunctionalInterface
    interface Body {
        Outcome run(Start start) throws Exception;
    }

    /**
     * One client's measured operations: each one's latency (ns), and how many of them aborted
     * (a predicate that failed under contention; counted among the latencies too).
     */
    record Outcome(long[] latencies, long aborts) {
        Outcome {
            if (aborts < 0 || aborts > latencies.length) {
                throw new IllegalArgumentException(aborts + " aborts among " + latencies.length + " operations");
            }
        }

        /** Operations that never abort. */
        static Outcome of(long[] latencies) {
            return new Outcome(latencies, 0);
        }
    }

    /** Where a client waits for every other client's warm-up. */
    @FunctionalInterface
    interface Start {
        void await() throws InterruptedException;
    }

    /**
     * @param perClient each client's measured latencies in nanoseconds
     * @param aborts the measured operations that aborted, over every client
     * @param cpuNanos CPU over the measured span, or -1 if the counter is unavailable
     * @param from when the measured span began (for matching it with, e.g., GC pauses)
     * @param to when it ended
     */
    record Measured(List<long[]> perClient, long aborts, long wallNanos, long cpuNanos, Instant from, Instant to) {}

    private ClosedLoop() {}

    /**
     * Runs {@code clients} bodies on {@code pool} (which must have a thread for each) and measures
     * from the end of the last warm-up. A client that fails in set-up or warm-up ends the run with
     * its exception.
     *
     * @param cpuNanos a CPU counter in nanoseconds, -1 when it cannot tell
     */
    static Measured run(ExecutorService pool, int clients, IntFunction<Body> bodies, LongSupplier cpuNanos)
            throws Exception {
        CountDownLatch warmed = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        Start start = () -> {
            warmed.countDown();
            go.await();
        };
        List<Future<Outcome>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Body body = bodies.apply(c);
            futures.add(pool.submit(() -> body.run(start)));
        }
        while (!warmed.await(100, TimeUnit.MILLISECONDS)) {
            for (Future<Outcome> f : futures) {
                if (f.isDone()) {
                    f.get(); // a client that failed in set-up or warm-up: its exception ends the run
                }
            }
        }
        long cpuStart = cpuNanos.getAsLong();
        Instant from = Instant.now();
        long wallStart = System.nanoTime();
        go.countDown();
        List<long[]> perClient = new ArrayList<>();
        long aborts = 0;
        for (Future<Outcome> f : futures) {
            Outcome o = f.get();
            perClient.add(o.latencies());
            aborts += o.aborts();
        }
        long wallNanos = System.nanoTime() - wallStart;
        Instant to = Instant.now();
        long cpuEnd = cpuNanos.getAsLong();
        return new Measured(perClient, aborts, wallNanos, cpuStart < 0 || cpuEnd < 0 ? -1 : cpuEnd - cpuStart, from,
                to);
    }
}
