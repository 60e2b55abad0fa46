package ostore.node.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import ostore.archive.store.FragmentStore;
import ostore.client.RingSpec;
import ostore.crypto.Hash32;
import ostore.crypto.KeyFiles;
import ostore.crypto.PublicKey;
import ostore.crypto.SigningKey;
import ostore.routing.NodeId;
import ostore.routing.locate.Inventory;
import ostore.routing.locate.RoutingParams;
import ostore.routing.net.Member;
import ostore.routing.net.MemberTable;
import ostore.routing.overlay.Overlay;
import ostore.routing.overlay.OverlayParams;

/**
 * How the storage nodes of one ring file form a routing overlay: every input a
 * {@link ostore.routing.net.RoutingServer} needs, derived from the ring file alone, so every node
 * computes the same member table and the same neighbour graph without talking to the others.
 *
 * <ul>
 *   <li>Keys: each storage node has its own Ed25519 routing key in {@code DIR/}{@value #KEY_FILE}
 *       (created on first start), recorded in the ring file (format 3); a ring file without keys
 *       (format 2) gives no member table, and its nodes serve their stores without routing.
 *   <li>Ids: a node's routing id is SHA-256 of {@value #ID_TAG}, a zero byte and its public key,
 *       so it is fixed by the key (a node cannot choose where it ranks for a GUID without finding
 *       a key that hashes there) and does not change when the node moves to another address.
 *   <li>Members: the ring file's storage nodes at the ring's epoch, at their ring-file addresses.
 *   <li>Neighbours: the routing {@link Overlay}'s own rule (near links plus one long link per
 *       join, degree capped) with the nodes joining in ring-file order and the join randomness
 *       seeded by the epoch. Round trips are not measured yet, so the link cost is a hash of the
 *       pair: the graph is a bounded-degree random graph, the same on every node.
 * </ul>
 */
public final class StorageRouting {
    /** A storage node's routing key, in its data directory (owner-only, like a replica's key). */
    public static final String KEY_FILE = "routing.key";
    /**
     * The GUIDs one filter is sized for (at 1% false positives): about 20 KiB per filter level.
     * Every member must use the same shape; past this many GUIDs per node, false positives rise,
     * which costs probes, never wrong answers.
     */
    public static final int EXPECTED_GUIDS_PER_FILTER = 16_384;
    /**
     * The system property that sets the gossip period in milliseconds (default 5,000); tests
     * shorten it so filters fill within a test's time.
     */
    public static final String GOSSIP_PERIOD_PROPERTY = "ostore.routing.gossip-millis";
    static final String ID_TAG = "ostore/routing-node-id/v1";
    private static final String COST_TAG = "ostore/routing-link-cost/v1";

    private StorageRouting() {}

    /** The routing parameters every storage node uses. */
    public static RoutingParams params() {
        return RoutingParams.defaults(EXPECTED_GUIDS_PER_FILTER);
    }

    /** The gossip period: {@value #GOSSIP_PERIOD_PROPERTY} if set, else 5 s. */
    public static Duration gossipPeriod() {
        String millis = System.getProperty(GOSSIP_PERIOD_PROPERTY);
        if (millis == null) {
            return Duration.ofSeconds(5);
        }
        try {
            return Duration.ofMillis(Long.parseLong(millis.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(GOSSIP_PERIOD_PROPERTY + " (" + millis + ") is not a whole number of ms", e);
        }
    }

    /** The routing id of the node with routing key {@code key}. */
    public static NodeId nodeId(PublicKey key) {
        MessageDigest sha = sha256();
        sha.update(ID_TAG.getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update(key.toBytes());
        return NodeId.of(sha.digest());
    }

    /** The routing key in {@code dataDir}, created (owner-only) if the node has none yet. */
    public static SigningKey loadOrCreateKey(Path dataDir) throws IOException {
        Path file = dataDir.resolve(KEY_FILE);
        if (Files.exists(file)) {
            return KeyFiles.load(file);
        }
        Files.createDirectories(dataDir);
        SigningKey key = SigningKey.generate(new SecureRandom());
        KeyFiles.save(key, file);
        return key;
    }

    /**
     * The member table of {@code spec}'s storage nodes, or empty when the file does not give every
     * one a routing key (format 2, or no storage nodes).
     */
    public static Optional<MemberTable> members(RingSpec spec) {
        if (!spec.storageKeysKnown()) {
            return Optional.empty();
        }
        List<Member> members = new ArrayList<>();
        for (RingSpec.StorageAddress a : spec.storageNodes()) {
            members.add(new Member(nodeId(a.routingKey()), a.target(), a.routingKey()));
        }
        return Optional.of(MemberTable.of(spec.epoch(), members));
    }

    /** Storage node id (ring-file position) by routing id, for printing routes; empty without keys. */
    public static Map<NodeId, Integer> storageIds(RingSpec spec) {
        Map<NodeId, Integer> ids = new LinkedHashMap<>();
        if (spec.storageKeysKnown()) {
            for (RingSpec.StorageAddress a : spec.storageNodes()) {
                ids.put(nodeId(a.routingKey()), a.id());
            }
        }
        return ids;
    }

    /**
     * The neighbours of storage node {@code storageId} in {@code spec}'s overlay (see the class
     * comment); the same graph on every node, so neighbour relations are symmetric.
     */
    public static SortedSet<NodeId> neighbours(RingSpec spec, int storageId) {
        return links(spec, storageId).neighbours();
    }

    /**
     * A storage node's neighbours, and its standby links ({@code Overlay.standby}): for each
     * neighbour, the nodes to gossip with while that neighbour is silent, so one node down for good
     * never leaves another with too few links; the same on both ends of every link, from the ring
     * file alone.
     */
    public record Links(SortedSet<NodeId> neighbours, SortedMap<NodeId, SortedSet<NodeId>> standby) {}

    /** {@code storageId}'s {@link Links} in {@code spec}'s overlay. */
    public static Links links(RingSpec spec, int storageId) {
        if (!spec.storageKeysKnown()) {
            throw new IllegalArgumentException("the ring file gives no routing keys for its storage nodes");
        }
        Overlay overlay = new Overlay(OverlayParams.defaults(), StorageRouting::linkCost);
        SplittableRandom random = new SplittableRandom(spec.epoch());
        for (RingSpec.StorageAddress a : spec.storageNodes()) {
            overlay.join(nodeId(a.routingKey()), random);
        }
        NodeId self = nodeId(spec.storageNodes().get(storageId).routingKey());
        return new Links(overlay.neighbours(self), overlay.standby(self));
    }

    /** A symmetric pseudo-distance in [0, 1) from the pair's ids, until round trips are measured. */
    static double linkCost(NodeId a, NodeId b) {
        NodeId lo = a.compareTo(b) <= 0 ? a : b;
        NodeId hi = lo == a ? b : a;
        MessageDigest sha = sha256();
        sha.update(COST_TAG.getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update(lo.toBytes());
        sha.update(hi.toBytes());
        long bits = 0;
        byte[] d = sha.digest();
        for (int i = 0; i < 7; i++) {
            bits = (bits << 8) | (d[i] & 0xff);
        }
        return (bits >>> 3) / (double) (1L << 53);
    }

    /**
     * The routing inventory of a fragment store: the names of the objects (fragments and manifests)
     * it holds. Index entries are not objects and are not located.
     */
    static Inventory inventory(FragmentStore store) {
        return new Inventory() {
            @Override
            public boolean holds(Hash32 guid) {
                try {
                    return store.has(guid);
                } catch (IOException e) {
                    throw new UncheckedIOException("reading the fragment store failed", e);
                }
            }

            @Override
            public void forEach(Consumer<Hash32> action) {
                try {
                    Hash32 after = null;
                    while (true) {
                        List<Hash32> page = store.list(after, StorageService.MAX_LIST_NAMES);
                        page.forEach(action);
                        if (page.size() < StorageService.MAX_LIST_NAMES) {
                            return;
                        }
                        after = page.getLast();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("listing the fragment store failed", e);
                }
            }
        };
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
