package ostore.client;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import ostore.crypto.PublicKey;

/**
 * A ring of 3f+1 replicas as its configuration file describes it ({@link RingFile}): what a client
 * needs to reach the ring and to check its signatures, the protocol parameters every replica must
 * share, and where the ring's deep archive keeps its fragments (its storage nodes). The SDK uses the members and keys; a replica turns the whole of it into its own
 * configuration type, which checks the parameters' meaning.
 *
 * @param epoch the configuration's number; results and certificates name it
 * @param f the number of Byzantine replicas tolerated
 * @param colors how many independently ordered groups of objects the ring runs
 * @param params the protocol parameters by name ({@link RingFile#PARAMS}), in file order
 * @param replicas replica i at index i
 * @param storageNodes the deep archive's storage nodes, node i at index i; empty when the ring
 *     archives nothing (a ring file of format 1 has none)
 */
public record RingSpec(long epoch, int f, int colors, Map<String, Long> params, List<Member> replicas,
        List<StorageAddress> storageNodes) {
    /** One replica: its id (its index), the address its gRPC server listens on, and its key. */
    public record Member(int id, String host, int port, PublicKey key) {
        public Member {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(key, "key");
            if (id < 0) {
                throw new IllegalArgumentException("replica id (" + id + ") must be >= 0");
            }
            checkAddress("replica " + id, host, port);
        }

        /** {@code host:port} as gRPC dials it; an IPv6 literal goes in brackets. */
        public String target() {
            return RingSpec.target(host, port);
        }
    }

    /**
     * Where storage node {@code id} of the deep archive listens, and the Ed25519 key it signs its
     * routing gossip with. The key is not needed to trust its data: a storage node is trusted with
     * availability only, since every object it returns is checked against its hash name; it only
     * decides who may change other nodes' routing state. Its id stays the node's for as long as it
     * holds fragments, because placement names it.
     *
     * @param routingKey the node's routing key, or null when the file predates keys (format 2):
     *     such a node serves its store but takes no part in routing
     */
    public record StorageAddress(int id, String host, int port, PublicKey routingKey) {
        public StorageAddress {
            Objects.requireNonNull(host, "host");
            if (id < 0) {
                throw new IllegalArgumentException("storage node id (" + id + ") must be >= 0");
            }
            checkAddress("storage node " + id, host, port);
        }

        /** A storage node without a routing key. */
        public StorageAddress(int id, String host, int port) {
            this(id, host, port, null);
        }

        /** This node with {@code key} as its routing key. */
        public StorageAddress withRoutingKey(PublicKey key) {
            return new StorageAddress(id, host, port, Objects.requireNonNull(key, "key"));
        }

        /** {@code host:port} as gRPC dials it; an IPv6 literal goes in brackets. */
        public String target() {
            return RingSpec.target(host, port);
        }
    }

    private static void checkAddress(String who, String host, int port) {
        if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(who + " host (" + host + ") must be non-empty without spaces");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(who + " port (" + port + ") must be in 1..65535");
        }
    }

    private static String target(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** A ring without storage nodes (its versions are not archived). */
    public RingSpec(long epoch, int f, int colors, Map<String, Long> params, List<Member> replicas) {
        this(epoch, f, colors, params, replicas, List.of());
    }

    public RingSpec {
        Objects.requireNonNull(params, "params");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        replicas = List.copyOf(replicas);
        storageNodes = List.copyOf(storageNodes);
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch (" + epoch + ") must be >= 0");
        }
        if (f < 0) {
            throw new IllegalArgumentException("f (" + f + ") must be >= 0 (f = 0 is a ring of one, which tolerates no fault)");
        }
        if (colors < 1 || colors > 256) {
            throw new IllegalArgumentException("colors (" + colors + ") must be in 1..256");
        }
        if (replicas.size() != 3 * f + 1) {
            throw new IllegalArgumentException("a ring with f (" + f + ") needs " + (3 * f + 1) + " replicas, not "
                    + replicas.size());
        }
        Set<PublicKey> keys = new HashSet<>();
        for (int i = 0; i < replicas.size(); i++) {
            if (replicas.get(i).id() != i) {
                throw new IllegalArgumentException("replica at index " + i + " has id " + replicas.get(i).id());
            }
            if (!keys.add(replicas.get(i).key())) {
                throw new IllegalArgumentException("replica " + i + " repeats the key " + replicas.get(i).key().toHex());
            }
        }
        for (Map.Entry<String, Long> p : params.entrySet()) {
            if (!RingFile.PARAMS.contains(p.getKey())) {
                throw new IllegalArgumentException("unknown parameter " + p.getKey() + "; known: " + RingFile.PARAMS);
            }
            Objects.requireNonNull(p.getValue(), p.getKey());
        }
        checkStorageNodes(storageNodes);
    }

    /**
     * Ids 0..n-1 in order, distinct addresses and routing keys: two entries for one node would count
     * it twice.
     */
    private static void checkStorageNodes(List<StorageAddress> nodes) {
        Set<String> targets = new HashSet<>();
        Set<PublicKey> keys = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).id() != i) {
                throw new IllegalArgumentException("storage node at index " + i + " has id " + nodes.get(i).id());
            }
            if (!targets.add(nodes.get(i).target())) {
                throw new IllegalArgumentException("storage node " + i + " repeats the address " + nodes.get(i).target());
            }
            PublicKey key = nodes.get(i).routingKey();
            if (key != null && !keys.add(key)) {
                throw new IllegalArgumentException("storage node " + i + " repeats the routing key " + key.toHex());
            }
        }
    }

    /** Whether every storage node has a routing key (format 3), so they can run routing together. */
    public boolean storageKeysKnown() {
        return archives() && storageNodes.stream().allMatch(s -> s.routingKey() != null);
    }

    /** This ring with {@code nodes} as its storage nodes. */
    public RingSpec withStorageNodes(List<StorageAddress> nodes) {
        return new RingSpec(epoch, f, colors, params, replicas, nodes);
    }

    /** Whether versions are archived: the file lists at least one storage node. */
    public boolean archives() {
        return !storageNodes.isEmpty();
    }

    public int n() {
        return replicas.size();
    }

    /** f+1: matching signed replies from this many distinct replicas include a correct one. */
    public int weakQuorum() {
        return f + 1;
    }

    /** 2f+1: the signatures a certificate needs. */
    public int quorum() {
        return 2 * f + 1;
    }

    /** The replicas' keys, index = replica id. */
    public List<PublicKey> keys() {
        return replicas.stream().map(Member::key).toList();
    }

    /** The parameter {@code name}; every one of {@link RingFile#PARAMS} is present in a parsed file. */
    public long param(String name) {
        Long value = params.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the ring configuration has no parameter " + name);
        }
        return value;
    }
}
