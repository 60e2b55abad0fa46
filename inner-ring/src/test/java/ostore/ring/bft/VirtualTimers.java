package ostore.ring.bft;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The timers of several replicas in virtual time, for the single-threaded test rings: armed by
 * replica and key (re-arming replaces), fired in due order, ties in the order armed.
 */
final class VirtualTimers {
    /** A timer that fell due: whose, which, and when. */
    record Fired(int replica, TimerKey key, long at) {}

    private record Armed(int replica, TimerKey key) {}

    private record Due(long at, long order) implements Comparable<Due> {
        @Override
        public int compareTo(Due o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
        }
    }

    private final TreeMap<Due, Armed> byDue = new TreeMap<>();
    private final Map<Armed, Due> byKey = new HashMap<>();
    private long order;

    /** Arms (or re-arms) {@code replica}'s timer {@code key} to fall due at {@code at}. */
    void arm(int replica, TimerKey key, long at) {
        cancel(replica, key);
        Due due = new Due(at, order++);
        byDue.put(due, new Armed(replica, key));
        byKey.put(new Armed(replica, key), due);
    }

    /** @return whether the timer was armed */
    boolean cancel(int replica, TimerKey key) {
        Due due = byKey.remove(new Armed(replica, key));
        if (due != null) {
            byDue.remove(due);
        }
        return due != null;
    }

    /** Forgets every timer of {@code replica} (it crashed). */
    void forget(int replica) {
        byKey.keySet().removeIf(a -> a.replica() == replica);
        byDue.values().removeIf(a -> a.replica() == replica);
    }

    /** The first timer due at or before {@code until}, disarmed, or null. */
    Fired pollDue(long until) {
        if (byDue.isEmpty() || byDue.firstKey().at() > until) {
            return null;
        }
        var next = byDue.pollFirstEntry();
        byKey.remove(next.getValue());
        return new Fired(next.getValue().replica(), next.getValue().key(), next.getKey().at());
    }
}
