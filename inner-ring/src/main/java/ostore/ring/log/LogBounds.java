package ostore.ring.log;

/** Argument checks shared by both stores, so they reject the same inputs with the same words. */
final class LogBounds {
    private LogBounds() {}

    static void checkRead(int color, long from, int maxRecords, long first, long next) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords (" + maxRecords + ") must be >= 1");
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
