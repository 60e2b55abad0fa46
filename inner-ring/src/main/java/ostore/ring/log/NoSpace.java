package ostore.ring.log;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Whether a failure came from a disk with no room left (ENOSPC or EDQUOT). Java and RocksDB report
 * both only in the message ("No space left on device", "Disk quota exceeded"), so the check reads
 * the messages of the failure, its causes and what it suppressed.
 */
public final class NoSpace {
    private NoSpace() {}

    /** Whether {@code message} is a disk's "no space" or "quota exceeded" error. */
    public static boolean message(String message) {
        return message != null && (message.contains("No space left on device") || message.contains("Disk quota exceeded"));
    }

    /** Whether {@code failure}, or anything it was caused by or suppressed, is a disk with no room left. */
    public static boolean causedBy(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        return causedBy(failure, seen);
    }

    private static boolean causedBy(Throwable t, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return false;
        }
        if (message(t.getMessage())) {
            return true;
        }
        for (Throwable s : t.getSuppressed()) {
            if (causedBy(s, seen)) {
                return true;
            }
        }
        return causedBy(t.getCause(), seen);
    }
}
