package ostore.routing.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ostore.crypto.Hash32;
import ostore.crypto.SigningKey;
import ostore.routing.NodeId;
import ostore.routing.locate.SetInventory;
import ostore.routing.locate.RoutingParams;
import ostore.routing.overlay.Overlay;
import ostore.routing.overlay.OverlayParams;

/**
 * Real routing servers on 127.0.0.1, free ports, in one JVM: keys from fixed seeds, ids the
 * SHA-256 of the public keys, a seeded bounded-degree {@link Overlay}, rounds driven by the test.
 * Started in two steps because a server's port is known only once it is bound: each starts with a
 * table of itself (epoch 0), then all get the full table (epoch 1).
 */
final class Cluster implements AutoCloseable {
    static final RoutingParams PARAMS = RoutingParams.defaults(64);
    /** Degree at most 3, so ten nodes need several hops end to end. */
    static final OverlayParams OVERLAY = new OverlayParams(2, 2, 3);

    final List<NodeId> ids = new ArrayList<>();
    final Map<NodeId, SigningKey> keys = new HashMap<>();
    final Map<NodeId, SetInventory> inventories = new HashMap<>();
    final Map<NodeId, RoutingServer> servers = new LinkedHashMap<>();
    /** Each node's seeded position; the overlay's link cost is the distance. */
    final Map<NodeId, double[]> coordinates = new HashMap<>();
    final Overlay overlay;
    final RoutingServer.Options options;
    MemberTable table;
    private boolean standby;


    /**
     * @param period the gossip period; rounds run on the servers' own threads when {@code scheduled}
     * @param extraMembers members not started here (a test's own servers), in the table from epoch 1
     */
    Cluster(int size, long seed, Duration deadline, Duration period, boolean scheduled, Collection<Member> extraMembers)
            throws IOException {
        options = new RoutingServer.Options("127.0.0.1", 0, period, deadline, scheduled);
        try {
            for (int i = 0; i < size; i++) {
                SigningKey key = key("node-" + seed + "-" + i);
                NodeId id = idOf(key);
                ids.add(id);
                keys.put(id, key);
                SetInventory held = new SetInventory();
                inventories.put(id, held);
                MemberTable alone = MemberTable.of(0, List.of(new Member(id, "127.0.0.1:1", key.publicKey())));
                servers.put(id, new RoutingServer(id, key, alone, PARAMS, held, options).start());
            }
            List<Member> all = new ArrayList<>(extraMembers);
            for (NodeId id : ids) {
                all.add(new Member(id, servers.get(id).address(), keys.get(id).publicKey()));
            }
            table = MemberTable.of(1, all);
            servers.values().forEach(s -> s.setMembers(table));
            Random rng = new Random(seed);
            Map<NodeId, double[]> at = coordinates;
            for (NodeId id : ids) {
                at.put(id, new double[] {rng.nextDouble(), rng.nextDouble()});
            }
            overlay = new Overlay(OVERLAY, (a, b) -> Math.hypot(at.get(a)[0] - at.get(b)[0], at.get(a)[1] - at.get(b)[1]));
            for (NodeId id : ids) {
                overlay.join(id, rng);
            }
            for (NodeId id : ids) {
                servers.get(id).setNeighbours(overlay.neighbours(id));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    Cluster(int size, long seed) throws IOException {
        this(size, seed, Duration.ofSeconds(10), Duration.ofSeconds(20), false, List.of());
    }

    RoutingServer server(int i) {
        return servers.get(ids.get(i));
    }

    /** Puts {@code guid} in node {@code i}'s inventory and tells its server. */
    void store(int i, Hash32 guid) {
        inventories.get(ids.get(i)).add(guid);
        server(i).stored(guid);
    }

    /** One gossip round on every running server, in id order. */
    void round() {
        servers.values().forEach(RoutingServer::gossipRound);
    }

    void rounds(int n) {
        for (int i = 0; i < n; i++) {
            round();
        }
    }

    /** Gives every running server its neighbours with the overlay's standby links, now and after restarts. */
    void useStandbyLinks() {
        standby = true;
        servers.forEach((id, s) -> s.setNeighbours(overlay.neighbours(id), overlay.standby(id)));
    }

    /**
     * Starts stopped node {@code i} again (same key and id, its inventory as it is now, a new free
     * port) and gives every running server, it included, the member table at the next epoch with
     * its new address; then its neighbours as configured.
     */
    RoutingServer restart(int i) throws IOException {
        NodeId id = ids.get(i);
        if (servers.containsKey(id)) {
            throw new IllegalStateException("node " + i + " is running");
        }
        SigningKey key = keys.get(id);
        MemberTable alone = MemberTable.of(0, List.of(new Member(id, "127.0.0.1:1", key.publicKey())));
        RoutingServer s = new RoutingServer(id, key, alone, PARAMS, inventories.get(id), options).start();
        List<Member> all = new ArrayList<>(table.members().values());
        all.removeIf(m -> m.id().equals(id));
        all.add(new Member(id, s.address(), key.publicKey()));
        table = MemberTable.of(table.epoch() + 1, all);
        servers.put(id, s);
        servers.values().forEach(r -> r.setMembers(table));
        if (standby) {
            s.setNeighbours(overlay.neighbours(id), overlay.standby(id));
        } else {
            s.setNeighbours(overlay.neighbours(id));
        }
        return s;
    }

    /**
     * A new member: its own key and server, the member table at the next epoch on every server,
     * and the overlay's join rule ({@code rng} the join's one random choice), after which every
     * server gets its neighbours (and standby links, when used) from the changed overlay.
     *
     * @return the new node's index
     */
    int join(String name, Random rng, double x, double y) throws IOException {
        SigningKey key = key(name);
        NodeId id = idOf(key);
        SetInventory held = new SetInventory();
        MemberTable alone = MemberTable.of(0, List.of(new Member(id, "127.0.0.1:1", key.publicKey())));
        RoutingServer s = new RoutingServer(id, key, alone, PARAMS, held, options).start();
        ids.add(id);
        keys.put(id, key);
        inventories.put(id, held);
        servers.put(id, s);
        coordinates.put(id, new double[] {x, y});
        List<Member> all = new ArrayList<>(table.members().values());
        all.add(new Member(id, s.address(), key.publicKey()));
        table = MemberTable.of(table.epoch() + 1, all);
        servers.values().forEach(r -> r.setMembers(table));
        overlay.join(id, rng);
        servers.forEach((n, r) -> {
            if (standby) {
                r.setNeighbours(overlay.neighbours(n), overlay.standby(n));
            } else {
                r.setNeighbours(overlay.neighbours(n));
            }
        });
        return ids.size() - 1;
    }

    /** Stops node {@code i} for good; the others keep it in their table. */
    void stop(int i) {
        servers.remove(ids.get(i)).close();
    }

    @Override
    public void close() {
        servers.values().forEach(RoutingServer::close);
        servers.clear();
    }

    static SigningKey key(String name) {
        return SigningKey.fromSeed(sha256(name.getBytes(StandardCharsets.UTF_8)));
    }

    static NodeId idOf(SigningKey key) {
        return NodeId.of(sha256(key.publicKey().toBytes()));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
