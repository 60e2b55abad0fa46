package ostore.routing.filter;

import java.util.List;
import java.util.Objects;
import ostore.crypto.Hash32;

/**
 * What lies through one neighbour, by distance: level 0 is the neighbour's own filter (one hop
 * away), level i the union of the filters of nodes i + 1 hops away along paths through that
 * neighbour. OceanStore's "attenuated" filter: a hit at a low level is both more likely true and
 * closer, so queries follow the lowest level that matches.
 *
 * <p>Deeper levels summarize more nodes in a filter of the same size, so their false-positive rate
 * grows with depth; the locate algorithm probes every hit, and its hop limit bounds what a false
 * positive can cost.
 *
 * @param levels depth in [1, {@value #MAX_DEPTH}], all of one {@link FilterParams} shape; not
 *     changed after construction
 */
public record AttenuatedFilter(List<GuidFilter> levels) {
    /** Deeper levels would cover most of any overlay we run and be nearly all ones. */
    public static final int MAX_DEPTH = 8;

    public AttenuatedFilter {
        levels = List.copyOf(Objects.requireNonNull(levels, "levels"));
        if (levels.isEmpty() || levels.size() > MAX_DEPTH) {
            throw new IllegalArgumentException("depth (" + levels.size() + ") must be in [1, " + MAX_DEPTH + "]");
        }
        FilterParams shape = levels.getFirst().params();
        for (int i = 1; i < levels.size(); i++) {
            if (!levels.get(i).params().equals(shape)) {
                throw new IllegalArgumentException("level " + i + " has " + levels.get(i).params()
                        + ", level 0 has " + shape);
            }
        }
    }

    public int depth() {
        return levels.size();
    }

    public FilterParams params() {
        return levels.getFirst().params();
    }

    public GuidFilter level(int i) {
        return levels.get(i);
    }

    /**
     * The lowest level whose filter might contain {@code guid}, or -1. Levels are consulted from 0
     * up and the search stops at the first hit, so {@code hit + 1} filters were consulted on a hit
     * and {@link #depth()} on a miss.
     */
    public int firstLevelContaining(Hash32 guid) {
        for (int i = 0; i < levels.size(); i++) {
            if (levels.get(i).mightContain(guid)) {
                return i;
            }
        }
        return -1;
    }
}
