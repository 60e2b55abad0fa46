package ostore.routing.net;

import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import ostore.crypto.Bguid;
import ostore.crypto.SigningKey;
import ostore.routing.NodeId;
import ostore.routing.gossip.GossipCodec;
import ostore.routing.locate.SetInventory;
import ostore.routing.locate.RoutingParams;
import ostore.routing.overlay.Overlay;
import ostore.routing.overlay.OverlayParams;

/**
 * Measures what gossip costs on the wire with the real service: {@code n} {@link RoutingServer}s
 * on 127.0.0.1, each hosted on a gRPC server of this driver's, over the default overlay (3 links
 * per join, at most 8 neighbours, seeded coordinates). Rounds are driven here, one server after
 * another, so a round is exactly one signed advertisement per neighbour per node. A benchmark, not
 * a test: nothing is asserted.
 *
 * <p>Counted two ways. A {@link ServerStreamTracer} counts every gRPC message's bytes per RPC, both
 * ways, as the transport reports them (the serialized protobuf: advertisement, signature, field
 * tags; no 5-byte length prefix). And every member's address in the member table is a relay on
 * 127.0.0.1 that copies the TCP stream to the real server and counts it: everything HTTP/2 sends
 * (frames, HPACK headers, settings, window updates, pings), only TCP/IP headers excluded. Pointer
 * republishing is pushed past the measured rounds (the same filters and depth, republish every
 * {@value #NO_REPUBLISH} rounds), so the relays count gossip alone.
 *
 * <p>Usage: {@code GossipBandwidthBenchmark [seed [sizes...]]}, sizes default to 12 50; each size
 * runs with the storage nodes' filter shape (16,384 GUIDs per filter at 1%) and the simulation's
 * (512 GUIDs at 1%).
 */
public final class GossipBandwidthBenchmark {
    static final int GUIDS_PER_NODE = 16;
    static final int MEASURED_ROUNDS = 8;
    private static final String GOSSIP = "ostore.routing.v1.Routing/Gossip";
    static final int NO_REPUBLISH = 1_000;

    private GossipBandwidthBenchmark() {}

    /** The two filter shapes compared. */
    private record Shape(String name, RoutingParams params) {}

    /** Bytes and messages per full RPC name, both directions, since the last reset. */
    private static final class Counter extends ServerStreamTracer.Factory {
        final Map<String, LongAdder[]> byMethod = new ConcurrentHashMap<>();

        @Override
        public ServerStreamTracer newServerStreamTracer(String method, Metadata headers) {
            LongAdder[] c = byMethod.computeIfAbsent(method, m -> new LongAdder[] {
                    new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()});
            c[0].increment();
            return new ServerStreamTracer() {
                @Override
                public void inboundWireSize(long bytes) {
                    c[1].add(bytes);
                }

                @Override
                public void inboundMessage(int seqNo) {
                    c[2].increment();
                }

                @Override
                public void outboundWireSize(long bytes) {
                    c[3].add(bytes);
                }

                @Override
                public void outboundMessage(int seqNo) {
                    c[4].increment();
                }
            };
        }

        void reset() {
            byMethod.clear();
        }

        long calls(String method) {
            return get(method, 0);
        }

        long bytes(String method) {
            return get(method, 1) + get(method, 3);
        }

        long get(String method, int i) {
            LongAdder[] c = byMethod.get(method);
            return c == null ? 0 : c[i].sum();
        }
    }

    /**
     * The handlers of a server bound before its service exists: a hosted routing server needs its
     * host's bound port before it is built.
     */
    private static final class LateRegistry extends HandlerRegistry {
        private volatile ServerServiceDefinition service;

        void addService(io.grpc.BindableService s) {
            service = s.bindService();
        }

        @Override
        public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
            ServerServiceDefinition s = service;
            return s == null ? null : s.getMethod(methodName);
        }
    }

    /**
     * A TCP relay on 127.0.0.1 to one server's port that counts every byte it copies, both ways:
     * what HTTP/2 really sends, short of TCP/IP headers. One virtual thread per direction per
     * connection; a connection ends when either side closes it.
     */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket listen;
        private final int target;
        private final LongAdder bytes;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();

        Relay(int target, LongAdder bytes) throws IOException {
            this.target = target;
            this.bytes = bytes;
            this.listen = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().name("relay-" + target).start(this::accept);
        }

        int port() {
            return listen.getLocalPort();
        }

        private void accept() {
            while (!listen.isClosed()) {
                Socket in;
                try {
                    in = listen.accept();
                } catch (IOException e) {
                    return;
                }
                try {
                    Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                    in.setTcpNoDelay(true);
                    out.setTcpNoDelay(true);
                    open.add(in);
                    open.add(out);
                    Thread.ofVirtual().start(() -> pump(in, out));
                    Thread.ofVirtual().start(() -> pump(out, in));
                } catch (IOException e) {
                    closeQuietly(in);
                }
            }
        }

        private void pump(Socket from, Socket to) {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream i = from.getInputStream();
                OutputStream o = to.getOutputStream();
                for (int n = i.read(buffer); n >= 0; n = i.read(buffer)) {
                    bytes.add(n);
                    o.write(buffer, 0, n);
                    o.flush();
                }
            } catch (IOException e) {
                // The connection ended; the other direction ends with it below.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        @Override
        public void close() {
            try {
                listen.close();
            } catch (IOException e) {
                // Nothing more to accept either way.
            }
            open.forEach(Relay::closeQuietly);
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // Closing is best effort; the relay is going away.
            }
        }
    }


    public static void main(String[] args) throws IOException, InterruptedException {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
        List<Integer> sizes = args.length > 1
                ? Arrays.stream(args, 1, args.length).map(Integer::valueOf).toList()
                : List.of(12, 50);
        run(seed, sizes, System.out);
    }

    static void run(long seed, List<Integer> sizes, PrintStream out) throws IOException, InterruptedException {
        List<Shape> shapes = List.of(new Shape("storage (16,384 GUIDs)", gossipOnly(RoutingParams.defaults(16_384))),
                new Shape("simulation (512 GUIDs)", gossipOnly(RoutingParams.defaults(512))));
        out.printf("seed %d; %d GUIDs per node; overlay %s; %d measured rounds after depth + 1 warm-up rounds%n",
                seed, GUIDS_PER_NODE, OverlayParams.defaults(), MEASURED_ROUNDS);
        out.println("| filters | nodes | mean degree | advertisement B | Gossip request B | Gossip calls/round "
                + "| gRPC messages B/node/round | TCP B/node/round | TCP / advertisements | ms/round | other RPCs |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Shape shape : shapes) {
            for (int n : sizes) {
                measure(seed, n, shape, out);
            }
        }
    }

    /** The same filters and depth with republishing pushed past the measured rounds. */
    static RoutingParams gossipOnly(RoutingParams p) {
        return new RoutingParams(p.filter(), p.depth(), p.hopLimit(), p.pointerReplicas(), p.fallbackRanks(),
                p.viewTtlRounds(), p.rebuildEveryRounds(), NO_REPUBLISH, NO_REPUBLISH + 1);
    }

    private static void measure(long seed, int n, Shape shape, PrintStream out) throws IOException, InterruptedException {
        RoutingParams params = shape.params();
        Counter counter = new Counter();
        List<Server> grpc = new ArrayList<>();
        List<Relay> relays = new ArrayList<>();
        List<RoutingServer> routing = new ArrayList<>();
        LongAdder tcp = new LongAdder();
        try {
            List<SigningKey> keys = new ArrayList<>();
            List<NodeId> ids = new ArrayList<>();
            List<LateRegistry> registries = new ArrayList<>();
            List<Member> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SigningKey key = SigningKey.fromSeed(sha256("ostore-gossip-bench/" + seed + "/" + i));
                NodeId id = NodeId.of(sha256(key.publicKey().toBytes()));
                LateRegistry registry = new LateRegistry();
                Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                        .fallbackHandlerRegistry(registry).addStreamTracerFactory(counter)
                        .maxInboundMessageSize(RoutingService.maxInboundBytes(params)).build().start();
                grpc.add(s);
                Relay relay = new Relay(s.getPort(), tcp);
                relays.add(relay);
                keys.add(key);
                ids.add(id);
                registries.add(registry);
                members.add(new Member(id, "127.0.0.1:" + relay.port(), key.publicKey()));
            }
            MemberTable table = MemberTable.of(1, members);
            SplittableRandom rng = new SplittableRandom(seed);
            Map<NodeId, double[]> at = new HashMap<>();
            ids.forEach(id -> at.put(id, new double[] {rng.nextDouble(), rng.nextDouble()}));
            Overlay overlay = new Overlay(OverlayParams.defaults(),
                    (a, b) -> Math.hypot(at.get(a)[0] - at.get(b)[0], at.get(a)[1] - at.get(b)[1]));
            ids.forEach(id -> overlay.join(id, rng));
            for (int i = 0; i < n; i++) {
                SetInventory held = new SetInventory();
                for (int g = 0; g < GUIDS_PER_NODE; g++) {
                    held.add(Bguid.ofBlock(("ostore-gossip-bench/" + seed + "/" + i + "/" + g)
                            .getBytes(StandardCharsets.UTF_8)).hash());
                }
                RoutingServer.Options options = new RoutingServer.Options("127.0.0.1", grpc.get(i).getPort(),
                        Duration.ofSeconds(30), Duration.ofSeconds(10), false);
                RoutingServer r = new RoutingServer(ids.get(i), keys.get(i), table, params, held, options);
                registries.get(i).addService(r.service());
                r.setNeighbours(overlay.neighbours(ids.get(i)), overlay.standby(ids.get(i)));
                routing.add(r.startHosted());
            }
            int degreeSum = ids.stream().mapToInt(id -> overlay.neighbours(id).size()).sum();
            for (int r = 0; r < params.depth() + 1; r++) {
                routing.forEach(RoutingServer::gossipRound);
            }
            counter.reset();
            tcp.reset();
            long gossipNanos = 0;
            int accepted = 0;
            int sent = 0;
            for (int r = 0; r < MEASURED_ROUNDS; r++) {
                for (RoutingServer s : routing) {
                    long t0 = System.nanoTime();
                    RoutingServer.GossipRound round = s.gossipRound();
                    gossipNanos += System.nanoTime() - t0;
                    accepted += round.accepted();
                    sent += round.neighbours();
                }
            }
            if (accepted != sent) {
                out.printf("(%d of %d advertisements were not accepted)%n", sent - accepted, sent);
            }
            long gossipBytes = counter.bytes(GOSSIP);
            long gossipCalls = counter.calls(GOSSIP);
            long inbound = counter.get(GOSSIP, 1);
            long other = 0;
            for (String m : new TreeMap<>(counter.byMethod).keySet()) {
                if (!m.equals(GOSSIP)) {
                    other += counter.bytes(m);
                }
            }
            int advertisement = GossipCodec.size(params.filter(), params.depth());
            double perNodeRound = (double) n * MEASURED_ROUNDS;
            out.printf("| %s | %d | %.2f | %,d | %,.0f | %,.0f | %,.0f | %,.0f | %.4f | %.0f | %,d |%n", shape.name(), n,
                    (double) degreeSum / n, advertisement, (double) inbound / Math.max(1, gossipCalls),
                    (double) gossipCalls / MEASURED_ROUNDS, gossipBytes / perNodeRound, tcp.sum() / perNodeRound,
                    (double) tcp.sum() / Math.max(1, (long) advertisement * gossipCalls), gossipNanos / 1e6 / MEASURED_ROUNDS,
                    other);
        } finally {
            routing.forEach(RoutingServer::close);
            relays.forEach(Relay::close);
            for (Server s : grpc) {
                s.shutdown();
                if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
                    s.shutdownNow();
                }
            }
        }
    }

    private static byte[] sha256(String s) {
        return sha256(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
