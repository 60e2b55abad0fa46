package ostore.routing.locate;

import java.util.Objects;
import ostore.routing.filter.AttenuatedFilter;
import ostore.routing.filter.FilterParams;

/**
 * One overlay's routing configuration; every member must use the same, since filters of different
 * shapes cannot be unioned and nodes ranking roots differently would not find each other's
 * pointers.
 *
 * @param filter the shape of every filter
 * @param depth attenuated filter depth d: a node sees d hops out through each neighbour
 * @param hopLimit overlay forwards a query may take before the fallback, at least {@code depth}
 * @param pointerReplicas how many rendezvous roots keep a pointer to each holder of a GUID
 * @param fallbackRanks how many ranked roots a lookup or a publish tries at most, at least
 *     {@code pointerReplicas}; the slack covers roots that are down and roots that joined since
 *     the last republish and have no pointers yet
 * @param viewTtlRounds a neighbour's advertisement is dropped this many rounds after it arrived
 *     unless a newer one replaces it, so a silent (failed) neighbour stops attracting queries
 * @param rebuildEveryRounds a node rebuilds its own filter from its inventory this often, which is
 *     how deletions leave the filters (Bloom filters cannot remove)
 * @param republishEveryRounds holders re-send their pointers to the current roots this often
 * @param pointerTtlRounds a root drops a pointer not refreshed for this many rounds; more than
 *     {@code republishEveryRounds}, so live pointers never lapse
 */
public record RoutingParams(FilterParams filter, int depth, int hopLimit, int pointerReplicas, int fallbackRanks,
        int viewTtlRounds, int rebuildEveryRounds, int republishEveryRounds, int pointerTtlRounds) {
    public RoutingParams {
        Objects.requireNonNull(filter, "filter");
        if (depth < 1 || depth > AttenuatedFilter.MAX_DEPTH) {
            throw new IllegalArgumentException("depth (" + depth + ") must be in [1, " + AttenuatedFilter.MAX_DEPTH + "]");
        }
        if (hopLimit < depth || hopLimit > 64) {
            throw new IllegalArgumentException("hopLimit (" + hopLimit + ") must be in [depth (" + depth + "), 64]");
        }
        if (pointerReplicas < 1 || fallbackRanks < pointerReplicas || fallbackRanks > 64) {
            throw new IllegalArgumentException("pointerReplicas (" + pointerReplicas + ") must be >= 1 and fallbackRanks ("
                    + fallbackRanks + ") in [pointerReplicas, 64]");
        }
        if (viewTtlRounds < 1 || rebuildEveryRounds < 1 || republishEveryRounds < 1) {
            throw new IllegalArgumentException("viewTtlRounds (" + viewTtlRounds + "), rebuildEveryRounds ("
                    + rebuildEveryRounds + ") and republishEveryRounds (" + republishEveryRounds + ") must be >= 1");
        }
        if (pointerTtlRounds <= republishEveryRounds) {
            throw new IllegalArgumentException("pointerTtlRounds (" + pointerTtlRounds
                    + ") must exceed republishEveryRounds (" + republishEveryRounds + ")");
        }
    }

    /**
     * Depth 3, a hop limit of 6, 3 pointer roots walked up to 8 ranks deep; filters sized for
     * {@code expectedPerFilter} GUIDs at 1% false positives.
     */
    public static RoutingParams defaults(int expectedPerFilter) {
        return new RoutingParams(FilterParams.forCapacity(expectedPerFilter, 0.01), 3, 6, 3, 8, 3, 1, 8, 20);
    }

    /**
     * Rounds after which a change to an inventory is in every filter within {@code depth} hops:
     * an insert is in the node's own filter at once and one more level out per round; a delete
     * waits for the next rebuild, then the same. Advertisements carry what the sender had at the
     * start of a round, hence the extra round per level.
     */
    public int filterStalenessRounds() {
        return rebuildEveryRounds + depth;
    }
}
