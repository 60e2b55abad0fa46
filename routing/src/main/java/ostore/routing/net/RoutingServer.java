package ostore.routing.net;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import ostore.crypto.Hash32;
import ostore.crypto.SigningKey;
import ostore.routing.NodeId;
import ostore.routing.locate.Inventory;
import ostore.routing.locate.Locator;
import ostore.routing.locate.PointerPublisher;
import ostore.routing.locate.Route;
import ostore.routing.locate.RoutingNode;
import ostore.routing.locate.RoutingParams;

/**
 * One routing member as a running server: a {@link RoutingNode} over the host's {@link Inventory}
 * behind {@code ostore.routing.v1.Routing}, a {@link GrpcTransport} to the other members, and a
 * thread that runs a gossip round every {@link Options#gossipPeriod()}. A storage node hosts it in
 * a few lines:
 *
 * <pre>{@code
 * RoutingServer routing = new RoutingServer(id, key, members, RoutingParams.defaults(n), inventory, options);
 * routing.setNeighbours(neighbours);
 * routing.start();
 * ... routing.stored(guid); routing.removed(guid); routing.locate(guid) ...
 * routing.close();
 * }</pre>
 *
 * <p>A host that already runs a gRPC server (a storage node) serves {@link #service()} there and
 * calls {@link #startHosted()} instead of {@link #start()}: one port for both, the member table's
 * address being the host's.
 *
 * <p>How fast changes show: {@link #stored} puts a GUID in the node's own filter and publishes its
 * pointers to the GUID's rendezvous roots before it returns, so the fallback finds it at once; the
 * Bloom path finds it d hops out after d more rounds. A removal ({@link #removed}) withdraws the
 * pointers at once; the filters forget it after the next rebuild and d more rounds. Both are within
 * {@link RoutingParams#filterStalenessRounds()} × the period (20 s with the defaults), and a stale
 * filter hit only costs a probe.
 *
 * <p>Rounds are numbered from the wall clock divided by the period when the server is built, then
 * one up per round, so a restarted node's advertisements are normally newer than those its
 * neighbours saw before the restart (and if not, their views of it lapse within
 * {@link RoutingParams#viewTtlRounds()} rounds and the next one is accepted).
 */
public final class RoutingServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RoutingServer.class.getName());
    private static final long DRAIN_SECONDS = 5;

    /**
     * Where to listen and how often to gossip.
     *
     * @param port 0 for a free port
     * @param gossipPeriod time between gossip rounds, {@value #MIN_PERIOD_MS} ms to {@value #MAX_PERIOD_MS} ms
     * @param callDeadline each outgoing call's deadline, at most the period, so one round's sends end before the next
     * @param scheduledRounds false when the owner drives rounds itself ({@link #gossipRound}), as tests do
     */
    public record Options(String host, int port, Duration gossipPeriod, Duration callDeadline, boolean scheduledRounds) {
        public static final long MIN_PERIOD_MS = 50;
        public static final long MAX_PERIOD_MS = 600_000;

        public Options {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(gossipPeriod, "gossipPeriod");
            Objects.requireNonNull(callDeadline, "callDeadline");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port (" + port + ") must be in [0, 65535]");
            }
            if (gossipPeriod.toMillis() < MIN_PERIOD_MS || gossipPeriod.toMillis() > MAX_PERIOD_MS) {
                throw new IllegalArgumentException("gossipPeriod (" + gossipPeriod + ") must be in [" + MIN_PERIOD_MS
                        + " ms, " + MAX_PERIOD_MS + " ms]");
            }
            if (callDeadline.toMillis() < 1 || callDeadline.compareTo(gossipPeriod) > 0) {
                throw new IllegalArgumentException("callDeadline (" + callDeadline + ") must be in [1 ms, gossipPeriod ("
                        + gossipPeriod + ")]");
            }
        }

        /** A 5 s period and a 2 s deadline, rounds on the server's own thread. */
        public static Options defaults(String host, int port) {
            return new Options(host, port, Duration.ofSeconds(5), Duration.ofSeconds(2), true);
        }
    }

    /** What one round did: its number, the neighbours advertised to and those that accepted. */
    public record GossipRound(long round, int neighbours, int accepted, boolean republished) {}

    private final NodeId self;
    private final RoutingParams params;
    private final Inventory inventory;
    private final Options options;
    private final NodeState state;
    private final GrpcTransport transport;
    private final Locator locator;
    private final PointerPublisher publisher;
    private final RoutingService service;
    private final Object roundLock = new Object();
    private Server server;
    private boolean hosted;
    private ScheduledExecutorService gossipThread;
    private long nextRound;
    private long lastRepublish = Long.MIN_VALUE;
    private boolean closed;

    /**
     * A member that is not listening yet. {@code members} must list {@code self} under
     * {@code key}'s public key; the address it gives for {@code self} is what the others dial.
     */
    public RoutingServer(NodeId self, SigningKey key, MemberTable members, RoutingParams params, Inventory inventory,
            Options options) {
        this.self = Objects.requireNonNull(self, "self");
        this.params = Objects.requireNonNull(params, "params");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.options = Objects.requireNonNull(options, "options");
        Member me = members.member(self).orElseThrow(() -> new IllegalArgumentException(
                "member table at epoch " + members.epoch() + " does not list this node " + self));
        if (!me.key().equals(key.publicKey())) {
            throw new IllegalArgumentException("member table lists " + self + " with key " + me.key()
                    + ", not this node's " + key.publicKey());
        }
        this.state = new NodeState(new RoutingNode(self, params, inventory), members);
        GossipSigner signer = new GossipSigner(key);
        this.transport = new GrpcTransport(self, params, state::table, signer, state, options.callDeadline());
        this.locator = new Locator(params, transport);
        this.publisher = new PointerPublisher(params, transport);
        this.service = new RoutingService(state, params, this::locate);
        // The node starts at its first round number now, not at 0, so pointers and views recorded
        // before the first gossip round are not taken for ones that are millions of rounds old.
        long first = System.currentTimeMillis() / options.gossipPeriod().toMillis();
        state.tick(first);
        this.nextRound = first + 1;
    }

    /**
     * Binds the port and serves; with {@link Options#scheduledRounds()}, also starts a round now and
     * then every period.
     *
     * @throws IOException if the address cannot be bound
     */
    public synchronized RoutingServer start() throws IOException {
        if (server != null || hosted || closed) {
            throw new IllegalStateException("routing server " + self + " was already started");
        }
        server = NettyServerBuilder.forAddress(new InetSocketAddress(options.host(), options.port()))
                .addService(service)
                .maxInboundMessageSize(RoutingService.maxInboundBytes(params))
                .build()
                .start();
        startRounds();
        return this;
    }

    /**
     * Starts a member whose {@link #service()} its host serves on its own server, already listening
     * on {@link Options#host()} and {@link Options#port()} with an inbound limit of at least
     * {@link #maxInboundBytes()}: no port of its own; with {@link Options#scheduledRounds()}, a
     * round now and then every period. Closing it stops the rounds, not the host's server.
     */
    public synchronized RoutingServer startHosted() {
        if (server != null || hosted || closed) {
            throw new IllegalStateException("routing server " + self + " was already started");
        }
        if (options.port() == 0) {
            throw new IllegalArgumentException("a hosted routing server needs its host's bound port, not 0");
        }
        hosted = true;
        startRounds();
        return this;
    }

    /** The routing service over this node, for a host that serves it itself ({@link #startHosted()}). */
    public BindableService service() {
        return service;
    }

    /** The inbound message size a server of this service must accept: an advertisement or a full Hop. */
    public int maxInboundBytes() {
        return RoutingService.maxInboundBytes(params);
    }

    private void startRounds() {
        if (options.scheduledRounds()) {
            gossipThread = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "routing-gossip-" + self);
                t.setDaemon(true);
                return t;
            });
            long period = options.gossipPeriod().toMillis();
            gossipThread.scheduleWithFixedDelay(this::scheduledRound, 0, period, TimeUnit.MILLISECONDS);
        }
        LOG.log(System.Logger.Level.INFO, "routing node {0} listening on {1}:{2,number,#}{3}, {4} members, gossip every {5}",
                self, options.host(), port(), hosted ? " (its host's server)" : "", state.table().size(),
                options.scheduledRounds() ? options.gossipPeriod() : "round its owner drives");
    }

    public NodeId id() {
        return self;
    }

    /** The bound port; differs from the one asked for when that was 0. */
    public synchronized int port() {
        if (hosted) {
            return options.port();
        }
        if (server == null) {
            throw new IllegalStateException("routing server " + self + " is not started");
        }
        return server.getPort();
    }

    /** {@code host:port} as a client dials it. */
    public String address() {
        String host = options.host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port();
    }

    public MemberTable members() {
        return state.table();
    }

    /** Installs a newer member table (a join or a departure); neighbours that left are dropped. */
    public void setMembers(MemberTable table) {
        state.setMembers(table);
        transport.membersChanged(table);
    }

    /** Replaces the neighbour set (every one a member); views of former neighbours are dropped. */
    public void setNeighbours(SortedSet<NodeId> neighbours) {
        state.setNeighbours(neighbours, Collections.emptySortedMap());
    }

    /**
     * Replaces the neighbour set with standby links ({@code Overlay.standby}): the nodes to link to
     * while a neighbour is silent ({@link RoutingNode#setNeighbours(SortedSet, SortedMap)}).
     */
    public void setNeighbours(SortedSet<NodeId> neighbours, SortedMap<NodeId, ? extends SortedSet<NodeId>> standby) {
        state.setNeighbours(neighbours, standby);
    }

    public SortedSet<NodeId> neighbours() {
        return state.neighbours();
    }

    /**
     * Runs one gossip round now: advances the round, advertises to every neighbour (all at once,
     * each call bounded by the deadline), and republishes every held GUID's pointers when due (the
     * first round, then every {@link RoutingParams#republishEveryRounds()}). Rounds never overlap.
     */
    public GossipRound gossipRound() {
        synchronized (roundLock) {
            long r = nextRound++;
            List<GrpcTransport.Outgoing> outgoing = state.startRound(r);
            int accepted = transport.gossip(outgoing).size();
            boolean republish = lastRepublish == Long.MIN_VALUE || r - lastRepublish >= params.republishEveryRounds();
            if (republish) {
                lastRepublish = r;
                int underReplicated = publisher.republish(self, inventory, state.membership());
                if (underReplicated > 0) {
                    LOG.log(System.Logger.Level.INFO, "{0}: round {1,number,#}: {2} GUIDs reached fewer than {3} roots",
                            self, r, underReplicated, params.pointerReplicas());
                }
            }
            return new GossipRound(r, outgoing.size(), accepted, republish);
        }
    }

    /**
     * The inventory now holds {@code guid}: it goes into the node's filter and its pointer to the
     * GUID's roots before this returns. Returns the roots that took the pointer.
     */
    public int stored(Hash32 guid) {
        state.stored(guid);
        return publisher.publish(self, guid, true, state.membership());
    }

    /**
     * The inventory no longer holds {@code guid}: its pointers are withdrawn now; the filters drop
     * it at the next rebuild. Returns the roots told.
     */
    public int removed(Hash32 guid) {
        return publisher.publish(self, guid, false, state.membership());
    }

    /** Finds a holder of {@code guid}: the filters first, then the rendezvous roots. */
    public Route locate(Hash32 guid) {
        return locator.locate(self, guid, state.membership());
    }

    /** The current round (the last one started). */
    public long round() {
        return state.round();
    }

    /** Neighbours whose advertisement is current. */
    public int viewCount() {
        return state.viewCount();
    }

    /** Pointers this node keeps as a root. */
    public int pointerCount() {
        return state.pointerCount();
    }

    /**
     * The holders this node, as one of {@code guid}'s rendezvous roots, keeps fresh pointers to
     * (sorted): what the fallback of a lookup would be told here. For operators' checks and tests.
     */
    public List<NodeId> pointers(Hash32 guid) {
        return state.pointers(guid);
    }

    /** Stops the gossip thread, then the server (calls in flight get a few seconds), then the channels. Idempotent. */
    @Override
    public void close() {
        Server s;
        ScheduledExecutorService g;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = server;
            g = gossipThread;
        }
        if (g != null) {
            g.shutdownNow();
            try {
                if (!g.awaitTermination(options.callDeadline().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: gossip thread still running at close", self);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (s != null) {
            s.shutdown();
            try {
                if (!s.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                    s.shutdownNow();
                }
            } catch (InterruptedException e) {
                s.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        transport.close();
        LOG.log(System.Logger.Level.INFO, "routing node {0} stopped", self);
    }

    private void scheduledRound() {
        try {
            gossipRound();
        } catch (RuntimeException e) {
            // A failed round must not end the schedule: the next one starts from fresh state.
            LOG.log(System.Logger.Level.WARNING, self + ": gossip round failed", e);
        }
    }
}
