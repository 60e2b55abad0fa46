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
 * needs to reach the ring and to check its signatures, plus the protocol parameters every replica
 * must share. The SDK uses the members and keys; a replica turns the whole of it into its own
 * configuration type, which checks the parameters' meaning.
 *
 * @param epoch the configuration's number; results and certificates name it
 * @param f the number of Byzantine replicas tolerated
 * @param colors how many independently ordered groups of objects the ring runs
 * @param params the protocol parameters by name ({@link RingFile#PARAMS}), in file order
 * @param replicas replica i at index i
 */
public record RingSpec(long epoch, int f, int colors, Map<String, Long> params, List<Member> replicas) {
    /** One replica: its id (its index), the address its gRPC server listens on, and its key. */
    public record Member(int id, String host, int port, PublicKey key) {
        public Member {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(key, "key");
            if (id < 0) {
                throw new IllegalArgumentException("replica id (" + id + ") must be >= 0");
            }
            if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("replica " + id + " host (" + host + ") must be non-empty without spaces");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("replica " + id + " port (" + port + ") must be in 1..65535");
            }
        }

        /** {@code host:port} as gRPC dials it; an IPv6 literal goes in brackets. */
        public String target() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public RingSpec {
        Objects.requireNonNull(params, "params");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        replicas = List.copyOf(replicas);
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch (" + epoch + ") must be >= 0");
        }
        if (f < 1) {
            throw new IllegalArgumentException("f (" + f + ") must be >= 1: a ring tolerates at least one fault");
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
