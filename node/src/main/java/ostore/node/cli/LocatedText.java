package ostore.node.cli;

import ostore.archive.LocateStats;

/**
 * How {@code ostore restore}, {@code ostore rebuild} and {@code ostore archive scrub} print the
 * way fragments away from their placed nodes were found ({@link LocateStats}), one wording for all
 * three, so an operator sees whether the routing layer found re-homed fragments and whether its
 * fallback was needed.
 */
final class LocatedText {
    private LocatedText() {}

    /** "2 fragments found through routing (3 lookups, fallback needed for 1), 0 by asking every node". */
    static String text(LocateStats s) {
        return s.routed() + (s.routed() == 1 ? " fragment" : " fragments") + " found through routing ("
                + s.lookups() + (s.lookups() == 1 ? " lookup" : " lookups") + ", fallback "
                + (s.fallbacks() == 0 ? "not needed" : "needed for " + s.fallbacks()) + "), " + s.swept()
                + " by asking every node";
    }

    /** {"lookups":3,"routed":2,"fallbacks":1,"swept":0} */
    static String json(LocateStats s) {
        return "{\"lookups\":" + s.lookups() + ",\"routed\":" + s.routed() + ",\"fallbacks\":" + s.fallbacks()
                + ",\"swept\":" + s.swept() + "}";
    }
}
