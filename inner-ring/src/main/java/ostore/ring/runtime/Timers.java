package ostore.ring.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ostore.ring.bft.TimerKey;

/**
 * A replica's armed timers on the monotonic clock ({@code System.nanoTime}). Owned by the loop's
 * thread alone, so it needs no locks. Equal keys name one timer: arming a key again replaces it,
 * as {@code ReplicaEnv} promises.
 */
final class Timers {
    private record Due(long atNanos, long order) implements Comparable<Due> {
        @Override
        public int compareTo(Due o) {
            // Subtraction, not compare: nanoTime values are only ordered by their difference.
            long d = atNanos - o.atNanos;
            return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(order, o.order);
        }
    }

    private final TreeMap<Due, TimerKey> byDue = new TreeMap<>();
    private final Map<TimerKey, Due> byKey = new HashMap<>();
    private long order;

    void arm(TimerKey key, long nowNanos, long afterMicros) {
        cancel(key);
        // Saturate instead of overflowing: a timer a century away is as good as never.
        long afterNanos = afterMicros >= Long.MAX_VALUE / 4_000 ? Long.MAX_VALUE / 4 : afterMicros * 1_000;
        Due due = new Due(nowNanos + afterNanos, order++);
        byDue.put(due, key);
        byKey.put(key, due);
    }

    void cancel(TimerKey key) {
        Due due = byKey.remove(key);
        if (due != null) {
            byDue.remove(due);
        }
    }

    /** Nanoseconds until the earliest timer is due (0 if one is overdue), or -1 if none is armed. */
    long nanosUntilNext(long nowNanos) {
        if (byDue.isEmpty()) {
            return -1;
        }
        return Math.max(0, byDue.firstKey().atNanos - nowNanos);
    }

    /** Removes and returns, earliest first, every timer due at {@code nowNanos}. */
    List<TimerKey> takeDue(long nowNanos) {
        List<TimerKey> due = new ArrayList<>();
        while (!byDue.isEmpty() && byDue.firstKey().atNanos - nowNanos <= 0) {
            TimerKey key = byDue.pollFirstEntry().getValue();
            byKey.remove(key);
            due.add(key);
        }
        return due;
    }
}
