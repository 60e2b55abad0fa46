package ostore.node.archive;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import java.util.logging.Logger;
import ostore.archive.FragmentLocator;
import ostore.client.RingSpec;
import ostore.crypto.Hash32;
import ostore.node.storage.StorageRouting;
import ostore.routing.NodeId;
import ostore.routing.locate.Route;
import ostore.routing.net.LocateClient;

/**
 * The archive's {@link FragmentLocator} over the storage nodes' routing layer: a storage node runs
 * {@code Locate(name)} as its origin (filters first, then rendezvous pointers, the holder probed
 * before it is named) and the holder's routing id is mapped back to its ring-file number, the one
 * placement uses. The restorer, the scrubber and {@code ostore rebuild} ask it for a fragment whose
 * placed node did not give it; the bytes the holder returns are then checked like any others, so a
 * wrong route costs a request, never a wrong byte.
 *
 * <p>Which node runs a lookup: the storage nodes in ring-file order starting at one chosen by the
 * name (so lookups spread over the nodes, the same way on every run), skipping those the caller
 * found down, at most {@value #MAX_ORIGINS} tried. The CLI and the replicas are not routing
 * members themselves, which is why a member runs the lookup: it has the filters and neighbour
 * views, the caller only the ring file. One channel per storage node, opened on first use.
 */
final class RoutedFragmentLocator implements FragmentLocator, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RoutedFragmentLocator.class.getName());
    /** Storage nodes asked to run one lookup at most, before it counts as finding nothing. */
    static final int MAX_ORIGINS = 3;
    /** A lookup costs at most a few routing call deadlines (2 s) per node it tries. */
    static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final List<String> targets;
    private final Map<NodeId, Integer> ids;
    private final ManagedChannel[] channels;
    /**
     * Storage nodes whose routing service failed a lookup (unreachable, or out of time): passed over
     * for the rest of this locator's life, so a node whose routing hangs costs one deadline, not one
     * per fragment of a restore. If every node has failed, they are tried again.
     */
    private final Set<Integer> failedOrigins = ConcurrentHashMap.newKeySet();
    /** When the last "no origin could run a lookup" warning was logged (nanoTime), or 0. */
    private final AtomicLong warnedAt = new AtomicLong();
    private boolean closed;

    private RoutedFragmentLocator(List<String> targets, Map<NodeId, Integer> ids) {
        this.targets = targets;
        this.ids = ids;
        this.channels = new ManagedChannel[targets.size()];
    }

    /**
     * A locator over {@code ring}'s storage nodes, or empty when the ring file gives them no routing
     * keys (format 2): they do not route, and a reader asks every node instead.
     */
    static Optional<RoutedFragmentLocator> forRing(RingSpec ring) {
        if (!ring.archives() || !ring.storageKeysKnown()) {
            return Optional.empty();
        }
        List<String> targets = new ArrayList<>();
        for (RingSpec.StorageAddress a : ring.storageNodes()) {
            targets.add(a.target());
        }
        return Optional.of(new RoutedFragmentLocator(List.copyOf(targets), StorageRouting.storageIds(ring)));
    }

    @Override
    public Lookup locate(Hash32 name, IntPredicate down) {
        int n = targets.size();
        byte[] b = name.toBytes();
        int start = Math.floorMod((b[0] & 0xff) << 8 | (b[1] & 0xff), n);
        List<String> failures = new ArrayList<>();
        int tried = 0;
        boolean skipFailed = failedOrigins.size() < n;
        for (int t = 0; t < n && tried < MAX_ORIGINS; t++) {
            int origin = (start + t) % n;
            if (down.test(origin) || skipFailed && failedOrigins.contains(origin)) {
                continue;
            }
            ManagedChannel channel = channel(origin);
            if (channel == null) {
                return Lookup.NOT_FOUND;
            }
            tried++;
            Route route;
            try {
                route = LocateClient.locate(channel, name, DEADLINE);
            } catch (StatusRuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return Lookup.NOT_FOUND;
                }
                failedOrigins.add(origin);
                failures.add("storage node " + origin + " " + targets.get(origin) + ": " + e.getStatus().getCode()
                        + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
                continue;
            }
            failedOrigins.remove(origin);
            if (route.found().isEmpty()) {
                return new Lookup(-1, route.usedFallback());
            }
            Integer holder = ids.get(route.found().get());
            if (holder == null) {
                // Members are the ring file's storage nodes, so this is a node that is not one of them.
                LOG.warning(() -> "storage node " + targets.get(origin) + " named routing node " + route.found().get()
                        + ", which the ring file does not list, as the holder of " + name.toHex() + "; ignored");
                return new Lookup(-1, route.usedFallback());
            }
            return new Lookup(holder, route.usedFallback());
        }
        long now = System.nanoTime();
        long last = warnedAt.get();
        if (!failures.isEmpty() && (last == 0 || now - last > WARN_EVERY_NANOS) && warnedAt.compareAndSet(last, now)) {
            LOG.warning(() -> "no storage node could run a routing lookup for " + name.toHex() + " (" + String.join("; ",
                    failures) + "); fragments their placed node lacks are asked of every node instead (logged at most"
                    + " once a minute)");
        }
        return Lookup.NOT_FOUND;
    }

    /** The channel to storage node {@code node}, opened on first use; null once closed. */
    private synchronized ManagedChannel channel(int node) {
        if (closed) {
            return null;
        }
        if (channels[node] == null) {
            channels[node] = Grpc.newChannelBuilder(targets.get(node), InsecureChannelCredentials.create()).build();
        }
        return channels[node];
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (ManagedChannel c : channels) {
            if (c != null) {
                c.shutdownNow();
            }
        }
    }
}
