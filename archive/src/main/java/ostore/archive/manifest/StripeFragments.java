package ostore.archive.manifest;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import ostore.crypto.Hash32;

/**
 * The k+m fragments of one stripe: their names, shard by shard, and the storage node each was
 * placed on (distinct nodes). The placement is where a fragment was meant to go; a repair may have
 * moved one since, so readers fall back to asking every node.
 */
public record StripeFragments(List<Hash32> names, List<Integer> nodes) {
    public StripeFragments {
        names = List.copyOf(names);
        nodes = List.copyOf(nodes);
        if (names.size() != nodes.size()) {
            throw new IllegalArgumentException(names.size() + " fragment names but " + nodes.size() + " nodes");
        }
        Set<Integer> seen = new HashSet<>();
        for (int n : nodes) {
            if (n < 0 || !seen.add(n)) {
                throw new IllegalArgumentException("placement nodes " + nodes + " must be distinct and >= 0");
            }
        }
    }

    public Hash32 name(int shard) {
        return names.get(shard);
    }

    public int node(int shard) {
        return nodes.get(shard);
    }

    static StripeFragments of(List<Hash32> names, int[] nodes) {
        Objects.requireNonNull(nodes, "nodes");
        return new StripeFragments(names, java.util.Arrays.stream(nodes).boxed().toList());
    }
}
