package ostore.routing.net;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import ostore.crypto.PublicKey;
import ostore.routing.NodeId;
import ostore.routing.overlay.Membership;

/**
 * The routing members at one epoch, by id: the authority for who may gossip or publish pointers
 * and under which key, and for where to reach each node. It is configuration (in a deployment, the
 * ring file's storage nodes), never learned from gossip, so a non-member cannot talk its way in.
 * No two members share a key, so one key speaks for exactly one id.
 */
public record MemberTable(long epoch, SortedMap<NodeId, Member> members) {
    public MemberTable {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch (" + epoch + ") must be >= 0");
        }
        TreeMap<NodeId, Member> copy = new TreeMap<>();
        Map<PublicKey, NodeId> byKey = new HashMap<>();
        for (Map.Entry<NodeId, Member> e : Objects.requireNonNull(members, "members").entrySet()) {
            Member m = Objects.requireNonNull(e.getValue(), "member");
            if (!m.id().equals(e.getKey())) {
                throw new IllegalArgumentException("member table entry " + e.getKey() + " holds member " + m.id());
            }
            NodeId other = byKey.putIfAbsent(m.key(), m.id());
            if (other != null) {
                throw new IllegalArgumentException("members " + other + " and " + m.id() + " share the key " + m.key());
            }
            copy.put(m.id(), m);
        }
        members = Collections.unmodifiableSortedMap(copy);
    }

    public static MemberTable of(long epoch, Collection<Member> members) {
        TreeMap<NodeId, Member> map = new TreeMap<>();
        for (Member m : members) {
            if (map.put(m.id(), m) != null) {
                throw new IllegalArgumentException("member " + m.id() + " is listed twice");
            }
        }
        return new MemberTable(epoch, map);
    }

    public Optional<Member> member(NodeId id) {
        return Optional.ofNullable(members.get(id));
    }

    public boolean contains(NodeId id) {
        return members.containsKey(id);
    }

    /** The ids at this epoch, for rendezvous ranking and the overlay. */
    public Membership membership() {
        return new Membership(epoch, new TreeSet<>(members.keySet()));
    }

    public int size() {
        return members.size();
    }
}
