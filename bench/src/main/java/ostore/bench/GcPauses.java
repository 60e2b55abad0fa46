package ostore.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

/**
 * The garbage collector's stop-the-world pauses in this JVM, as JDK Flight Recorder reports them
 * ({@code jdk.GCPhasePause}: every pause with its own duration, nanosecond resolution, none left
 * out by a threshold). A driver starts it before its load runs and asks for the pauses inside each
 * measured span; Pond's chief complaint about Java was ~100 ms collector stalls, and the aim
 * is a p99.9 pause under 1 ms.
 */
public final class GcPauses implements AutoCloseable {
    /** How long {@link #between} waits for the recorder to deliver a span's last events. */
    private static final Duration FLUSH_WAIT = Duration.ofSeconds(10);

    /**
     * The pauses in one span (or several pooled): each one's duration, and nearest-rank percentiles
     * over them. With no pause, every figure is 0. The durations themselves are kept so spans can
     * be pooled: a p99.9 needs a thousand pauses, more than one short run has.
     */
    public record Summary(String collector, List<Long> pauseNanos) {
        public Summary {
            java.util.Objects.requireNonNull(collector, "collector");
            pauseNanos = pauseNanos.stream().sorted().toList();
        }

        public static Summary of(String collector, long[] pauseNanos) {
            return new Summary(collector, java.util.Arrays.stream(pauseNanos).boxed().toList());
        }

        /** Every pause of {@code spans}, as one summary; the collectors' names joined if they differ. */
        public static Summary pool(List<Summary> spans) {
            String collector = String.join(", ", spans.stream().map(Summary::collector).distinct().toList());
            return new Summary(collector, spans.stream().flatMap(s -> s.pauseNanos().stream()).toList());
        }

        public int pauses() {
            return pauseNanos.size();
        }

        public double p50Ms() {
            return percentile(0.50);
        }

        public double p99Ms() {
            return percentile(0.99);
        }

        public double p999Ms() {
            return percentile(0.999);
        }

        public double maxMs() {
            return pauseNanos.isEmpty() ? 0 : pauseNanos.getLast() / 1e6;
        }

        public double totalMs() {
            return pauseNanos.stream().mapToLong(Long::longValue).sum() / 1e6;
        }

        private double percentile(double q) {
            return pauseNanos.isEmpty() ? 0
                    : Result.percentileMs(pauseNanos.stream().mapToLong(Long::longValue).toArray(), q);
        }
    }

    private record Pause(Instant start, long nanos) {}

    private final RecordingStream stream = new RecordingStream();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition flushed = lock.newCondition();
    private final List<Pause> pauses = new ArrayList<>();
    private Instant lastFlush = Instant.MIN;

    private GcPauses() {
        stream.enable("jdk.GCPhasePause").withThreshold(Duration.ZERO);
        stream.onEvent("jdk.GCPhasePause", this::record);
        stream.onFlush(() -> {
            lock.lock();
            try {
                lastFlush = Instant.now();
                flushed.signalAll();
            } finally {
                lock.unlock();
            }
        });
    }

    /**
     * Starts recording this JVM's GC pauses; returns once the recorder has delivered its first
     * flush (or after 10 s), so a pause right after the call is recorded.
     */
    public static GcPauses start() throws InterruptedException {
        GcPauses p = new GcPauses();
        p.stream.startAsync();
        p.awaitFlushAfter(Instant.now());
        return p;
    }

    /** Waits (at most {@link #FLUSH_WAIT}) for a flush after {@code t}; says so on stderr if none comes. */
    private void awaitFlushAfter(Instant t) throws InterruptedException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + FLUSH_WAIT.toNanos();
            while (!lastFlush.isAfter(t)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    System.err.println("GC pause recorder: no flush within " + FLUSH_WAIT + "; pauses near " + t
                            + " may be missing");
                    return;
                }
                flushed.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    private void record(RecordedEvent e) {
        lock.lock();
        try {
            pauses.add(new Pause(e.getStartTime(), e.getDuration().toNanos()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pauses that began inside {@code [from, to]}. Waits (up to 10 s) until the recorder has
     * flushed once after {@code to} (or after now, if {@code to} is still ahead), so the span's last
     * pauses are in.
     */
    public Summary between(Instant from, Instant to) throws InterruptedException {
        Instant now = Instant.now();
        awaitFlushAfter(to.isAfter(now) ? now : to); // no flush can come after a span still ahead
        lock.lock();
        try {
            long[] inSpan = pauses.stream()
                    .filter(p -> !p.start().isBefore(from) && !p.start().isAfter(to))
                    .mapToLong(Pause::nanos).toArray();
            return Summary.of(collector(), inSpan);
        } finally {
            lock.unlock();
        }
    }

    /** This JVM's collector, named as its management beans name it (e.g. "ZGC (generational)"). */
    public static String collector() {
        List<String> names = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName).toList();
        if (names.stream().anyMatch(n -> n.startsWith("ZGC Minor"))) {
            return "ZGC (generational)";
        }
        if (names.stream().anyMatch(n -> n.startsWith("ZGC"))) {
            return "ZGC";
        }
        if (names.stream().anyMatch(n -> n.startsWith("G1"))) {
            return "G1";
        }
        return String.join("/", names);
    }

    @Override
    public void close() {
        stream.close();
    }
}
