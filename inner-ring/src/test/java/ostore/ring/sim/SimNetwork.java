package ostore.ring.sim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Carries opaque frames between nodes as events on the queue, applying {@link NetworkFaults}:
 * a frame may be lost, duplicated, delayed or overtaken, never altered (a Byzantine sender alters
 * its own frames before they get here). What a receiver does with a frame, including verifying it,
 * is the receiver's business.
 */
final class SimNetwork {
    /** Where frames for one node id go; a Twins pair shares one id and splits deliveries itself. */
    interface Inbox {
        void deliver(int from, byte[] frame);
    }

    /** Counters for the end-of-run summary and for tests of the network itself. */
    static final class Stats {
        long sent;
        long lost;
        long duplicated;
        long delivered;
    }

    private final EventQueue events;
    private final SplittableRandom random;
    private final NetworkFaults faults;
    private final Inbox[] inboxes;
    private final Stats stats = new Stats();

    SimNetwork(EventQueue events, SplittableRandom random, NetworkFaults faults) {
        this.events = events;
        this.random = random;
        this.faults = faults;
        this.inboxes = new Inbox[faults.nodes()];
    }

    NetworkFaults faults() {
        return faults;
    }

    Stats stats() {
        return stats;
    }

    void attach(int node, Inbox inbox) {
        inboxes[node] = inbox;
    }

    void send(int from, int to, byte[] frame) {
        stats.sent++;
        if (faults.partitioned(from, to) || chance(faults.lossOn(from, to))) {
            stats.lost++;
            return;
        }
        int copies = chance(faults.duplication()) ? 2 : 1;
        if (copies == 2) {
            stats.duplicated++;
        }
        // The receiver may keep the array; each copy gets its own so no two deliveries share one.
        for (int c = 0; c < copies; c++) {
            byte[] copy = frame.clone();
            String label = "net " + from + "->" + to + " len=" + frame.length + " h=" + Arrays.hashCode(frame);
            events.after(delay() + frame.length * faults.transferNanosPerByte() / 1_000, label,
                    () -> arrive(from, to, copy));
        }
    }

    private void arrive(int from, int to, byte[] frame) {
        Inbox inbox = inboxes[to];
        if (inbox != null) {
            stats.delivered++;
            inbox.deliver(from, frame);
        }
    }

    private long delay() {
        long d = faults.delayMinMicros() == faults.delayMaxMicros() ? faults.delayMinMicros()
                : random.nextLong(faults.delayMinMicros(), faults.delayMaxMicros() + 1);
        if (faults.reorderExtraMaxMicros() > 0 && chance(faults.reorder())) {
            d += random.nextLong(faults.reorderExtraMaxMicros() + 1);
        }
        return d;
    }

    /** Draws only when the probability is strictly between 0 and 1, so quiet runs draw nothing. */
    private boolean chance(double p) {
        if (p <= 0) {
            return false;
        }
        return p >= 1 || random.nextDouble() < p;
    }
}
