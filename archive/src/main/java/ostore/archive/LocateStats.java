package ostore.archive;

/**
 * How a restore or scrub found the fragments their placed nodes did not give, for an operator to
 * see whether the routing layer is doing its job: a fragment is asked of its placed node first (no
 * extra message), then of the holder a {@link FragmentLocator} lookup names, and only if that
 * fails of every other node in turn.
 *
 * @param lookups locator lookups made (one per fragment its placed node did not give, while more
 *     fragments were wanted)
 * @param routed fragments fetched intact from the holder a lookup named
 * @param fallbacks lookups whose filters led nowhere, so the deterministic fallback (rendezvous
 *     pointers) was asked, whether or not it found a holder
 * @param swept fragments found only by asking every other node (the lookup found no holder that
 *     gave it intact)
 */
public record LocateStats(int lookups, int routed, int fallbacks, int swept) {
    /** Nothing needed looking for. */
    public static final LocateStats NONE = new LocateStats(0, 0, 0, 0);

    public LocateStats {
        if (lookups < 0 || routed < 0 || fallbacks < 0 || swept < 0 || routed > lookups || fallbacks > lookups) {
            throw new IllegalArgumentException("inconsistent counts: " + lookups + " lookups, " + routed + " routed, "
                    + fallbacks + " fallbacks, " + swept + " swept");
        }
    }

    /** Whether any fragment had to be looked for away from its placed node. */
    public boolean any() {
        return lookups > 0 || swept > 0;
    }
}
