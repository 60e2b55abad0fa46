package ostore.routing.sim;

/**
 * What a batch of simulated lookups cost and how they were answered. Lookups of a GUID with no
 * holder up are not attempted; they are counted in {@code unavailable}.
 *
 * @param bloomWithin1 lookups the filters answered within 1 hop (0 or 1), likewise 2 and 3
 * @param wrongHolder lookups whose reported holder did not hold the GUID (must be 0)
 */
public record LookupStats(int lookups, int found, int unavailable, int wrongHolder, int fallbackUsed,
        int bloomWithin1, int bloomWithin2, int bloomWithin3, long hops, long messages, long filtersConsulted,
        long falsePositives, double delayMs) {
    public int notFound() {
        return lookups - found;
    }

    public double meanHops() {
        return lookups == 0 ? 0 : (double) hops / lookups;
    }

    public double meanMessages() {
        return lookups == 0 ? 0 : (double) messages / lookups;
    }

    public double meanDelayMs() {
        return lookups == 0 ? 0 : delayMs / lookups;
    }

    public double meanFiltersConsulted() {
        return lookups == 0 ? 0 : (double) filtersConsulted / lookups;
    }

    /** Share of lookups in [0, 1]. */
    public double share(int count) {
        return lookups == 0 ? 0 : (double) count / lookups;
    }
}
