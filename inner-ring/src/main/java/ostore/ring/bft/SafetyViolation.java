package ostore.ring.bft;

import java.util.function.Supplier;

/**
 * A safety invariant of the replica core does not hold: the replica has diverged or is about to,
 * and must stop at once and never act again. Checked always, in production as in tests (never a
 * Java {@code assert}): the process that runs the replica logs the message in one line and exits
 * with {@link #EXIT_CODE}.
 */
public final class SafetyViolation extends IllegalStateException {
    /** The exit code of a replica process stopped by a safety violation (EX_SOFTWARE). */
    public static final int EXIT_CODE = 70;

    public SafetyViolation(String message) {
        super(message);
    }

    /** @throws SafetyViolation saying {@code what} if the invariant does not hold */
    static void check(boolean holds, Supplier<String> what) {
        if (!holds) {
            throw new SafetyViolation(what.get());
        }
    }
}
