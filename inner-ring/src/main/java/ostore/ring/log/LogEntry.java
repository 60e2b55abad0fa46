package ostore.ring.log;

import java.util.Objects;

/**
 * One record of the shared log. {@code payload} is the caller's bytes as appended; the log never
 * reads it, and the array handed out is the reader's own copy.
 */
public record LogEntry(int color, long position, byte[] payload) {
    public LogEntry {
        Objects.requireNonNull(payload, "payload");
        if (position < 0) {
            throw new IllegalArgumentException("position (" + position + ") must be >= 0");
        }
    }
}
