package ostore.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a ring client waits for the ring. An update is sent to every replica; if f+1 matching
 * signed results have not arrived within {@code attemptTimeout}, it is sent again to every replica
 * that has not answered, up to {@code attempts} times in all. Reads try one replica after another
 * and go round again, backing off, until a certified answer arrives or the attempts are used up.
 *
 * <p>The default outlasts one view change at the ring's default timeout (2 s, doubling): a client
 * should ride out a primary's crash rather than report it.
 */
public record RingPolicy(Duration attemptTimeout, int attempts) {
    public static final RingPolicy DEFAULT = new RingPolicy(Duration.ofSeconds(3), 5);

    public RingPolicy {
        Objects.requireNonNull(attemptTimeout, "attemptTimeout");
        if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
            throw new IllegalArgumentException("attemptTimeout (" + attemptTimeout + ") must be positive");
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts (" + attempts + ") must be >= 1");
        }
    }
}
