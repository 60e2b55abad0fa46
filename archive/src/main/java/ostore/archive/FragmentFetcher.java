package ostore.archive;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.archive.codec.Codecs;
import ostore.archive.codec.ErasureCodec;
import ostore.archive.fragment.CodeParams;
import ostore.archive.fragment.Fragment;
import ostore.archive.manifest.Manifest;
import ostore.archive.manifest.StripeFragments;
import ostore.archive.store.ArchiveNames;
import ostore.archive.store.CorruptObjectException;
import ostore.crypto.Hash32;

/**
 * Fetches the fragments of one stripe and keeps only those that verify: the bytes must hash to the
 * name the manifest lists, and the header must be the one that stripe and shard have. Only then
 * are they handed to the codec, which trusts its input.
 *
 * <p><b>Where a fragment is looked for.</b> Its placed node first, with no extra message. If that
 * does not give enough, then for each fragment still missing (in shard order): the holder a
 * {@link FragmentLocator} lookup names (the routing layer in a deployment: a repair may have
 * re-homed the fragment, or its node came back wiped), and only if that gives nothing intact,
 * every other node that is not down. Bytes from a routed holder, or from any node, are checked
 * exactly as a placed node's are. How many were found each way is recorded
 * ({@link LocateStats}).
 *
 * <p><b>In parallel, with the same outcome as one at a time.</b> The k fragments a reader needs
 * are asked of their k nodes at once (one request per node: a stripe's fragments are on distinct
 * nodes, and only one stripe is fetched at a time; the requests of a cancelled read-ahead are
 * interrupted, not awaited, so they may briefly overlap the next stripe's), and each failure is
 * replaced by the next shard in order. So the shards tried are exactly those a one-at-a-time fetch
 * would try: the first ones, in shard order, of which k verify. What a fetch met is recorded in shard order by the thread
 * that takes the stripe ({@link FetchLog}), so reports do not depend on which answer came first.
 * Each fragment is hashed once, on the thread that fetched it, through
 * {@link ArchiveNodes#getUnverified}: the check against the manifest's name is this class's, never
 * skipped, and a store's own check would only repeat it.
 *
 * <p><b>Read-ahead.</b> A {@link StripeReader} asks for the next stripe while its caller consumes
 * the current one ({@link #readAhead}); the stripe is fetched and its missing data decoded on a
 * stripe thread. One read-ahead per fetcher at most, so memory stays a stripe per reader plus one.
 * A read-ahead that is not taken is cancelled (its requests interrupted) and leaves no trace in the
 * report. {@link #close} cancels whatever is in flight and waits for its threads.
 */
final class FragmentFetcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FragmentFetcher.class.getName());
    /** Where the shard starts in a fragment's encoding: shards are kept there, not copied into arrays of their own. */
    static final int OFFSET = Fragment.HEADER_BYTES;
    /** How long {@link #close} waits for a cancelled node request that ignores its interrupt. */
    private static final long CLOSE_WAIT_SECONDS = 60;

    private final ArchiveNodes nodes;
    private final FetchLog log;
    /** Where a fragment its placed node did not give is looked for next. */
    private final FragmentSearch search;
    private final Map<Long, ErasureCodec> codecs = new ConcurrentHashMap<>();
    /** One virtual thread per node request; at most one stripe's requests are in flight. */
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    /** Stripe fetches, one at a time in the order asked, so no node gets two requests of this call at once. */
    private final ExecutorService stripes = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("archive-stripe-fetch-", 0).factory());
    /** The read-ahead in flight, if any; touched by the consuming thread only. */
    private Pending ahead;

    FragmentFetcher(ArchiveNodes nodes, FetchLog log) {
        this(nodes, log, FragmentLocator.NONE);
    }

    FragmentFetcher(ArchiveNodes nodes, FetchLog log, FragmentLocator locator) {
        this.nodes = nodes;
        this.log = log;
        this.search = new FragmentSearch(nodes, log, locator);
    }

    /**
     * The verified fragments of one stripe, as far as they were found: {@code shards[i]} is the
     * encoding of fragment i, its shard at {@link #OFFSET}, or a buffer of that shape for a decoder
     * to fill. Also what the fetch met, recorded into the {@link FetchLog} when the stripe is taken.
     */
    static final class StripeShards {
        final int stripe;
        final byte[][] shards;
        final boolean[] present;
        final int[] heldBy;
        final int shardLength;
        final int dataBytes;
        int good;
        int corrupt;
        private final List<CorruptFragment> corruptFound = new ArrayList<>();
        final Set<Integer> downFound = new TreeSet<>();
        private long fetchedBytes;
        /** Counted by {@link FragmentSearch}. */
        int lookups;
        int routed;
        int fallbacks;
        int swept;

        StripeShards(int stripe, int total, int shardLength, int dataBytes) {
            this.stripe = stripe;
            this.shards = new byte[total][];
            this.present = new boolean[total];
            this.heldBy = new int[total];
            Arrays.fill(heldBy, -1);
            this.shardLength = shardLength;
            this.dataBytes = dataBytes;
        }
    }

    /** A stripe being fetched on the stripe thread. */
    static final class Pending {
        final Manifest manifest;
        final int stripe;
        private Future<StripeShards> future;
        private volatile boolean cancelled;

        private Pending(Manifest manifest, int stripe) {
            this.manifest = manifest;
            this.stripe = stripe;
        }

        boolean cancelled() {
            return cancelled;
        }
    }

    /**
     * Fetches verified fragments of {@code stripe} until {@code want} are good or none are left to
     * ask, on the calling thread (the requests on their own), and records what it met.
     *
     * @throws ArchiveException if the calling thread is interrupted
     */
    StripeShards fetch(Manifest m, int stripe, int want) throws ArchiveException {
        try {
            StripeShards s = collect(m, stripe, want, null);
            record(s);
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArchiveException("interrupted while fetching stripe " + stripe + " of " + m.aguid() + " seq "
                    + m.seq());
        }
    }

    /**
     * Starts fetching k fragments of {@code stripe} and decoding its missing data shards on the stripe
     * thread, as the one read-ahead of this fetcher: a read-ahead started earlier and not taken is
     * cancelled.
     */
    Pending readAhead(Manifest m, int stripe) {
        cancelReadAhead();
        ahead = submit(m, stripe);
        return ahead;
    }

    /** Cancels the read-ahead in flight, if any; it will not be taken. */
    void cancelReadAhead() {
        if (ahead != null) {
            cancel(ahead);
            ahead = null;
        }
    }

    /**
     * The stripe of {@code p} (or, if {@code p} is null or was cancelled, fetched now), its
     * missing data decoded if it has k good fragments, and what the fetch met recorded.
     *
     * @throws InterruptedIOException if the calling thread is interrupted while waiting
     */
    StripeShards take(Pending p, Manifest m, int stripe) throws InterruptedIOException {
        if (p == ahead) {
            ahead = null;
        }
        if (p == null || p.cancelled || p.manifest != m || p.stripe != stripe) {
            if (p != null) {
                cancel(p);
            }
            p = submit(m, stripe);
        }
        StripeShards s;
        try {
            s = p.future.get();
        } catch (InterruptedException e) {
            cancel(p);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching stripe " + stripe + " of " + m.aguid()
                    + " seq " + m.seq());
        } catch (ExecutionException e) {
            // collect() answers every node failure itself: what arrives here is a bug (or the codec's).
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("fetching stripe " + stripe + " failed", e.getCause());
        } catch (CancellationException e) {
            throw new IllegalStateException("stripe " + stripe + " was cancelled while being taken", e);
        }
        record(s);
        return s;
    }

    /** Rebuilds every shard not present (all of them, data and parity) from k good ones. */
    void decodeMissing(CodeParams code, StripeShards s) {
        boolean complete = true;
        for (int i = 0; i < s.shards.length; i++) {
            if (!s.present[i]) {
                s.shards[i] = new byte[OFFSET + s.shardLength];
                complete = false;
            }
        }
        if (!complete) {
            codec(code).decodeMissing(s.shards, s.present, OFFSET, s.shardLength);
        }
    }

    /** Rebuilds only the data shards not present (what a reader needs) from k good ones. */
    void decodeMissingData(CodeParams code, StripeShards s) {
        boolean complete = true;
        for (int i = 0; i < s.shards.length; i++) {
            if (!s.present[i]) {
                s.shards[i] = new byte[OFFSET + s.shardLength];
                complete &= i >= code.dataShards();
            }
        }
        if (!complete) {
            codec(code).decodeMissingData(s.shards, s.present, OFFSET, s.shardLength);
        }
    }

    ErasureCodec codec(CodeParams code) {
        return codecs.computeIfAbsent((long) code.dataShards() << 32 | code.parityShards(),
                key -> Codecs.open(code.dataShards(), code.parityShards()));
    }

    /** Cancels every fetch in flight and waits for its threads, so none outlives the call that made it. */
    @Override
    public void close() {
        cancelReadAhead();
        stripes.shutdownNow();
        requests.shutdownNow();
        // A caller interrupted while restoring still waits here (its requests were interrupted and
        // end soon); its interrupt is kept for it. A second interrupt stops the wait.
        boolean interrupted = Thread.interrupted();
        try {
            if (!stripes.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)
                    || !requests.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warning("fragment requests still running " + CLOSE_WAIT_SECONDS + " s after they were cancelled:"
                        + " a storage node call ignores interrupts");
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Pending submit(Manifest m, int stripe) {
        Pending p = new Pending(m, stripe);
        p.future = stripes.submit(() -> {
            StripeShards s = collect(m, stripe, m.code().dataShards(), p);
            if (s.good >= m.code().dataShards()) {
                decodeMissingData(m.code(), s);
            }
            return s;
        });
        return p;
    }

    private static void cancel(Pending p) {
        p.cancelled = true;
        p.future.cancel(true);
    }

    /** Records what a taken stripe's fetch met, in shard order. */
    private void record(StripeShards s) {
        log.down(s.downFound);
        s.corruptFound.forEach(log::corrupt);
        log.fetched(s.good, s.fetchedBytes);
        log.located(s.lookups, s.routed, s.fallbacks, s.swept);
    }

    /** What one node request gave. */
    private record Answer(int node, byte[] bytes, String corrupt, boolean down, boolean cancelled) {}

    /**
     * Fetches until {@code want} fragments are good: the placed nodes first, {@code want} at a time
     * in parallel, then, one at a time for the shards still missing, the holder the locator names
     * and after it every other node ({@link FragmentSearch}).
     *
     * @param p the read-ahead this runs for, or null; once it is cancelled nothing more is asked
     */
    private StripeShards collect(Manifest m, int stripe, int want, Pending p) throws InterruptedException {
        CodeParams code = m.code();
        int dataBytes = code.stripeDataBytes(m.archivedBytes(), stripe);
        StripeShards s = new StripeShards(stripe, code.totalShards(), code.shardLength(dataBytes), dataBytes);
        StripeFragments placed = m.stripes().get(stripe);
        Answer[] answers = new Answer[code.totalShards()];
        List<Future<?>> inFlight = new ArrayList<>();
        BlockingQueue<Integer> answered = new LinkedBlockingQueue<>();
        List<Error> errors = new CopyOnWriteArrayList<>();
        int next = 0;
        int waiting = 0;
        int good = 0;
        try {
            while (true) {
                while (next < code.totalShards() && waiting + good < want) {
                    int shard = next++;
                    int node = placed.node(shard);
                    // A manifest made for more nodes than there are now (or forged) may place past the end.
                    if (node >= nodes.count()) {
                        continue;
                    }
                    if (log.isDown(node)) {
                        s.downFound.add(node);
                        continue;
                    }
                    inFlight.add(requests.submit(() -> {
                        try {
                            answers[shard] = ask(m, stripe, shard, node, s);
                        } catch (Error e) {
                            // ask() answers for everything a node does; an Error is this JVM's, raised below.
                            errors.add(e);
                        } finally {
                            answered.add(shard);
                        }
                    }));
                    waiting++;
                }
                if (waiting == 0) {
                    break;
                }
                int shard = answered.take();
                waiting--;
                if (!errors.isEmpty()) {
                    throw errors.getFirst();
                }
                Answer a = answers[shard];
                if (a != null && a.bytes != null) {
                    good++;
                } else if (a != null && a.down) {
                    log.skip(a.node);
                }
            }
        } finally {
            // Only on cancellation or failure is anything still running.
            for (Future<?> f : inFlight) {
                f.cancel(true);
            }
        }
        for (int shard = 0; shard < answers.length; shard++) {
            if (answers[shard] != null) {
                apply(s, m, shard, answers[shard]);
            }
        }
        search.search(m, s, want, p, (node, shard) -> {
            Answer a = ask(m, stripe, shard, node, s);
            if (a.down) {
                // One at a time now: a node that fails is skipped from then on.
                log.skip(node);
            }
            apply(s, m, shard, a);
        });
        return s;
    }

    /** Adds one answer to the stripe; on the thread that collects, in shard order. */
    private void apply(StripeShards s, Manifest m, int shard, Answer a) throws InterruptedException {
        if (a.cancelled) {
            throw new InterruptedException("fetch of stripe " + s.stripe + " cancelled");
        }
        if (a.down) {
            s.downFound.add(a.node);
        } else if (a.corrupt != null) {
            s.corrupt++;
            s.corruptFound.add(new CorruptFragment(a.node, m.stripes().get(s.stripe).name(shard), a.corrupt));
        } else if (a.bytes != null) {
            s.shards[shard] = a.bytes;
            s.present[shard] = true;
            s.heldBy[shard] = a.node;
            s.good++;
            s.fetchedBytes += a.bytes.length;
        }
    }

    /** Asks one node for one fragment and checks the answer; never throws, whatever the node does. */
    private Answer ask(Manifest m, int stripe, int shard, int node, StripeShards s) {
        Hash32 name = m.stripes().get(stripe).name(shard);
        Optional<byte[]> bytes;
        try {
            bytes = nodes.getUnverified(node, name);
        } catch (CorruptObjectException e) {
            return corrupt(node, "the node found it corrupt: " + e.getMessage());
        } catch (IOException e) {
            // A request this fetcher cancelled fails too; that says nothing about the node.
            return Thread.currentThread().isInterrupted() ? new Answer(node, null, null, false, true)
                    : new Answer(node, null, null, true, false);
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                return new Answer(node, null, null, false, true);
            }
            // A node's broken answer fails that node, not the read; logged in case it is a bug here.
            LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly on get " + name, e);
            return new Answer(node, null, null, true, false);
        }
        if (bytes.isEmpty()) {
            return new Answer(node, null, null, false, false);
        }
        String problem = verify(m, stripe, shard, name, bytes.get(), s);
        if (problem == null) {
            return new Answer(node, bytes.get(), null, false, false);
        }
        // Ask again through the node's checked read, so a store whose copy rotted sets it aside.
        try {
            nodes.get(node, name);
        } catch (CorruptObjectException e) {
            problem = "the node found it corrupt: " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            // The finding above stands; this request only helps the node clean up.
        }
        return corrupt(node, problem);
    }

    private static Answer corrupt(int node, String problem) {
        return new Answer(node, null, problem, false, false);
    }

    private static String verify(Manifest m, int stripe, int shard, Hash32 name, byte[] bytes, StripeShards s) {
        Hash32 actual = ArchiveNames.objectName(bytes);
        if (!actual.equals(name)) {
            return bytes.length + " bytes hash to " + actual;
        }
        Fragment.Header f;
        try {
            f = Fragment.checkEncoded(bytes);
        } catch (IllegalArgumentException e) {
            return "malformed: " + e.getMessage();
        }
        CodeParams code = m.code();
        if (f.codeId() != code.codeId() || f.dataShards() != code.dataShards()
                || f.parityShards() != code.parityShards() || f.shardIndex() != shard || f.stripeIndex() != stripe
                || f.stripeDataBytes() != s.dataBytes) {
            return "its header (Fragment[stripe " + f.stripeIndex() + ", shard " + f.shardIndex() + " of "
                    + f.dataShards() + "+" + f.parityShards() + ", " + f.shardLength() + " bytes], "
                    + f.stripeDataBytes() + " data bytes) is not stripe " + stripe + " shard " + shard
                    + " of the manifest";
        }
        if (f.shardLength() != s.shardLength) {
            return "its shard holds " + f.shardLength() + " bytes, the stripe's shards " + s.shardLength;
        }
        return null;
    }
}
