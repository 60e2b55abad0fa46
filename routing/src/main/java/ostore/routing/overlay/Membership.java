package ostore.routing.overlay;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import ostore.routing.NodeId;

/**
 * Who is in the overlay, at which epoch. In ostore membership is configuration (the ring file's
 * storage nodes), not discovered by gossip, so every node can know it in full: that is what makes
 * rendezvous hashing over it a deterministic fallback, and what lets a node refuse gossip from
 * anyone outside it. Each change makes a new value with the next epoch.
 *
 * @param members sorted, so every iteration over it is in the same order on every node
 */
public record Membership(long epoch, SortedSet<NodeId> members) {
    public Membership {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch (" + epoch + ") must be >= 0");
        }
        members = Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(members, "members")));
    }

    public static Membership empty() {
        return new Membership(0, new TreeSet<>());
    }

    public boolean contains(NodeId node) {
        return members.contains(node);
    }

    public int size() {
        return members.size();
    }

    public Membership with(NodeId node) {
        if (contains(node)) {
            throw new IllegalArgumentException(node + " is already a member");
        }
        TreeSet<NodeId> next = new TreeSet<>(members);
        next.add(node);
        return new Membership(epoch + 1, next);
    }

    public Membership without(NodeId node) {
        if (!contains(node)) {
            throw new IllegalArgumentException(node + " is not a member");
        }
        TreeSet<NodeId> next = new TreeSet<>(members);
        next.remove(node);
        return new Membership(epoch + 1, next);
    }
}
