package ostore.routing.net;

import java.util.Objects;
import ostore.crypto.PublicKey;
import ostore.routing.NodeId;

/**
 * One routing member as configuration knows it: its id, where its routing service listens and the
 * Ed25519 key that signs its gossip and pointer publishes. A message naming {@code id} as its
 * sender is accepted only under {@code key}, so knowing a member's id or address is not enough to
 * speak for it.
 *
 * @param address {@code host:port} as a gRPC client dials it
 */
public record Member(NodeId id, String address, PublicKey key) {
    public Member {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(key, "key");
        if (address.isBlank()) {
            throw new IllegalArgumentException("member " + id + " has a blank address");
        }
    }
}
