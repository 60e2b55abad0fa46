package ostore.ring.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;

/**
 * A running SHA-256 over every event and note of a run, so "same seed, same run" is a comparison
 * of two hashes rather than a belief; the last lines are kept to explain a failure.
 */
final class Trace {
    private static final int TAIL_LINES = 60;

    private final MessageDigest digest;
    private final ArrayDeque<String> tail = new ArrayDeque<>();

    Trace() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    void record(long timeMicros, String line) {
        String full = timeMicros + " " + line;
        digest.update(full.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
        if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
        }
        tail.addLast(full);
    }

    /** Mixes in data that is not an event label (frame bytes, outcomes) so the hash covers it. */
    void mix(byte[] bytes) {
        digest.update(bytes);
    }

    /** The hash so far; a copy, so recording may go on. */
    String hashHex() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests are cloneable in every JDK", e);
        }
    }

    List<String> tail() {
        return List.copyOf(tail);
    }
}
