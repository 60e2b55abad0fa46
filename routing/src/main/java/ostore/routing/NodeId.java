package ostore.routing;

import java.util.Objects;
import ostore.crypto.Hash32;

/**
 * A routing node's name: 32 bytes, in practice the hash of its public key, so a node cannot pick
 * where it lands in the rendezvous order without finding a key that hashes there. The routing
 * layer only compares, orders and hashes these names; it never derives one.
 */
public record NodeId(Hash32 hash) implements Comparable<NodeId> {
    public NodeId {
        Objects.requireNonNull(hash, "hash");
    }

    public static NodeId of(byte[] bytes) {
        return new NodeId(Hash32.of(bytes));
    }

    public byte[] toBytes() {
        return hash.toBytes();
    }

    @Override
    public int compareTo(NodeId o) {
        return hash.compareTo(o.hash);
    }

    @Override
    public String toString() {
        return hash.shortHex();
    }
}
