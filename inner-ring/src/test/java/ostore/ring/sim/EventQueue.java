package ostore.ring.sim;

import java.util.PriorityQueue;

/**
 * The simulator's only source of "when": events run one at a time in (time, insertion sequence)
 * order, so two events at the same microsecond run in the order they were scheduled and a run
 * never depends on anything but the seed. Every executed event is folded into the {@link Trace}.
 */
final class EventQueue {
    private record Event(long timeMicros, long sequence, String label, Runnable action) {}

    private final PriorityQueue<Event> pending = new PriorityQueue<>((a, b) -> {
        int byTime = Long.compare(a.timeMicros, b.timeMicros);
        return byTime != 0 ? byTime : Long.compare(a.sequence, b.sequence);
    });
    private final Trace trace;
    private long nowMicros;
    private long nextSequence;
    private long executed;

    EventQueue(Trace trace) {
        this.trace = trace;
    }

    /** Simulated global time: the time of the event running now (or last run). */
    long nowMicros() {
        return nowMicros;
    }

    /** Events run so far; the checkers name failures by it. */
    long step() {
        return executed;
    }

    int pendingCount() {
        return pending.size();
    }

    void after(long delayMicros, String label, Runnable action) {
        if (delayMicros < 0) {
            throw new IllegalArgumentException("delayMicros (" + delayMicros + ") must be >= 0");
        }
        pending.add(new Event(nowMicros + delayMicros, nextSequence++, label, action));
    }

    /**
     * Runs the next event.
     *
     * @return false if nothing is pending
     */
    boolean runNext() {
        Event e = pending.poll();
        if (e == null) {
            return false;
        }
        assert e.timeMicros >= nowMicros : "time never goes backwards";
        nowMicros = e.timeMicros;
        executed++;
        trace.record(nowMicros, e.label);
        e.action.run();
        return true;
    }
}
