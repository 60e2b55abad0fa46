package ostore.node;

import java.time.Instant;

/** Timestamps in ostore are microseconds since the Unix epoch (UTC), as the ordering layer assigns them. */
public final class Micros {
    private Micros() {}

    /** Every {@code long} of microseconds is within {@link Instant}'s range, so this cannot throw. */
    public static Instant toInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
