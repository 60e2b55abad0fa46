package ostore.ring.bft;

import java.util.Objects;
import ostore.crypto.PublicKey;

/** One member of the ring: its id (its index in the configuration), where it listens and its key. */
public record ReplicaAddress(int id, String host, int port, PublicKey key) {
    public ReplicaAddress {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(key, "key");
        if (id < 0) {
            throw new IllegalArgumentException("replica id (" + id + ") must be >= 0");
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("replica " + id + " host must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("replica " + id + " port (" + port + ") must be in 1..65535");
        }
    }
}
