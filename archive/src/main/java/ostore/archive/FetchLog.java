package ostore.archive;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one restore or scrub met on the storage nodes: nodes that failed (skipped from then on, so
 * a dead node costs one timeout, not one per fragment), objects that did not verify, and how much
 * was fetched. Single-threaded, like its users.
 */
final class FetchLog {
    private final Set<Integer> down = new TreeSet<>();
    private final List<CorruptFragment> corrupt = new ArrayList<>();
    private int fetched;
    private long fetchedBytes;

    boolean isDown(int node) {
        return down.contains(node);
    }

    void down(int node) {
        down.add(node);
    }

    void corrupt(CorruptFragment c) {
        corrupt.add(c);
    }

    void fetched(int bytes) {
        fetched++;
        fetchedBytes += bytes;
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
