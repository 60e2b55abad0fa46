package ostore.ring.sim;

import java.util.SplittableRandom;

/**
 * One replica's local clock: the global simulated time, shifted by a fixed offset and running at
 * a slightly wrong rate, as a real quartz clock does. Both are drawn from the seed and bounded, so
 * the drift between any two clocks stays within {@code 2 * (offsetMax + rate error * run length)}.
 * The rate is always positive, so a local clock never goes backwards.
 */
final class SimClock {
    /** A plausible wall-clock epoch, so timestamps look like real ones in traces. */
    static final long EPOCH_MICROS = 1_763_700_000_000_000L;

    private final EventQueue events;
    private final long offsetMicros;
    private final long ratePpm;

    SimClock(EventQueue events, SplittableRandom random, long offsetMaxMicros, long ratePpmMax) {
        this.events = events;
        this.offsetMicros = offsetMaxMicros == 0 ? 0 : random.nextLong(-offsetMaxMicros, offsetMaxMicros + 1);
        this.ratePpm = ratePpmMax == 0 ? 0 : random.nextLong(-ratePpmMax, ratePpmMax + 1);
    }

    long nowMicros() {
        return localAt(events.nowMicros());
    }

    private long localAt(long globalMicros) {
        return EPOCH_MICROS + offsetMicros + globalMicros + globalMicros * ratePpm / 1_000_000L;
    }

    /**
     * The smallest global delay after which this clock reads at least {@code localMicros} later, so
     * a timer never fires before its replica's own clock says it is due (an early fire makes a
     * replica re-arm for the remainder forever at one instant).
     */
    long globalDelay(long localMicros) {
        if (localMicros <= 0) {
            return 0;
        }
        long now = events.nowMicros();
        long start = localAt(now);
        long d = Math.max(1, localMicros * 1_000_000L / (1_000_000L + ratePpm));
        while (localAt(now + d) - start < localMicros) {
            d++;
        }
        return d;
    }
}
