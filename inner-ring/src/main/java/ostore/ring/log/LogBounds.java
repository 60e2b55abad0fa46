package ostore.ring.log;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/** Argument checks shared by both stores, so they reject the same inputs with the same words. */
final class LogBounds {
    private LogBounds() {}

    /**
     * A byte-bounded read made of one-record reads: at least one record, then more while they fit
     * in {@code maxBytes}. Neither record nor byte count is ever far over its bound.
     */
    static List<LogEntry> readByBytes(long from, int maxRecords, long maxBytes, LongFunction<List<LogEntry>> one) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes (" + maxBytes + ") must be >= 1");
        }
        List<LogEntry> out = new ArrayList<>();
        long bytes = 0;
        for (long p = from; out.size() < maxRecords; p++) {
            List<LogEntry> next = one.apply(p);
            if (next.isEmpty() || !out.isEmpty() && bytes + next.getFirst().payload().length > maxBytes) {
                break;
            }
            out.add(next.getFirst());
            bytes += next.getFirst().payload().length;
        }
        return out;
    }

    /** Whether a reader that has {@code count} records of {@code bytes} may take one of {@code length} more. */
    static boolean fits(int count, long bytes, int length, int maxRecords, long maxBytes) {
        return count < maxRecords && (count == 0 || bytes + length <= maxBytes);
    }

    static void checkRead(int color, long from, int maxRecords, long first, long next) {
        checkRead(color, from, maxRecords, 1, first, next);
    }

    static void checkRead(int color, long from, int maxRecords, long maxBytes, long first, long next) {
        if (maxRecords < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("maxRecords (" + maxRecords + ") and maxBytes (" + maxBytes
                    + ") must be >= 1");
        }
        if (from < first) {
            throw new TrimmedPositionException(color, from, first);
        }
        if (from > next) {
            throw new IllegalArgumentException(
                    "from (" + from + ") is beyond nextPosition (" + next + ") of color " + color);
        }
    }

    /** @return whether the trim drops anything */
    static boolean checkTrim(int color, long upTo, long first, long next) {
        if (upTo > next) {
            throw new IllegalArgumentException(
                    "upTo (" + upTo + ") is beyond nextPosition (" + next + ") of color " + color);
        }
        return upTo > first;
    }

    static void checkOpen(boolean closed, String kind) {
        if (closed) {
            throw new IllegalStateException("the " + kind + " log store is closed");
        }
    }
}
