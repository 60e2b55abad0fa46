package ostore.ring;

/** Time as the ordering layer sees it; the simulator supplies its own. */
@FunctionalInterface
public interface Clock {
    long nowMicros();

    Clock SYSTEM = () -> {
        java.time.Instant now = java.time.Instant.now();
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000);
    };
}
