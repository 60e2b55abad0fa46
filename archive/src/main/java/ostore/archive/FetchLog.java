package ostore.archive;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one restore or scrub met on the storage nodes: nodes that failed (skipped from then on, so
 * a dead node costs one timeout, not one per fragment), objects that did not verify, how much
 * was fetched, and how fragments away from their placed nodes were found ({@link LocateStats}).
 *
 * <p>Two views, because fragments are fetched on other threads and ahead of use. Which nodes to
 * skip is shared live ({@link #skip}, {@link #isDown}, thread-safe), so a node found down by one
 * fetch is not asked by the next. What the caller reports (nodes down, corrupt objects, counts) is
 * recorded only by the thread that consumes a stripe, in stripe and shard order, so a report does
 * not depend on thread timing and leaves out stripes fetched ahead but never used.
 */
final class FetchLog {
    private final Set<Integer> skip = ConcurrentHashMap.newKeySet();
    private final Set<Integer> down = new TreeSet<>();
    private final List<CorruptFragment> corrupt = new ArrayList<>();
    private int fetched;
    private long fetchedBytes;
    private int lookups;
    private int routed;
    private int fallbacks;
    private int swept;

    /** Whether {@code node} failed earlier in this call (any thread). */
    boolean isDown(int node) {
        return skip.contains(node);
    }

    /** Marks {@code node} to be skipped from now on, without reporting it (a fetch thread's view). */
    void skip(int node) {
        skip.add(node);
    }

    /** {@code node} failed: skipped from now on and reported. Consuming thread only. */
    void down(int node) {
        skip.add(node);
        down.add(node);
    }

    /** Reports nodes a consumed stripe found down or skipped. Consuming thread only. */
    void down(Collection<Integer> nodes) {
        skip.addAll(nodes);
        down.addAll(nodes);
    }

    /** Consuming thread only. */
    void corrupt(CorruptFragment c) {
        corrupt.add(c);
    }

    /** Consuming thread only. */
    void fetched(int count, long bytes) {
        fetched += count;
        fetchedBytes += bytes;
    }

    /** How a consumed stripe found fragments away from their placed nodes. Consuming thread only. */
    void located(int lookups, int routed, int fallbacks, int swept) {
        this.lookups += lookups;
        this.routed += routed;
        this.fallbacks += fallbacks;
        this.swept += swept;
    }

    LocateStats locateStats() {
        return new LocateStats(lookups, routed, fallbacks, swept);
    }

    List<Integer> nodesDown() {
        return List.copyOf(down);
    }

    List<CorruptFragment> corruptFragments() {
        return List.copyOf(corrupt);
    }

    int fragmentsFetched() {
        return fetched;
    }

    long bytesFetched() {
        return fetchedBytes;
    }
}
