package ostore.node.archive;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.archive.ArchiveException;
import ostore.archive.ArchiveWriter;
import ostore.archive.Progress;
import ostore.archive.WriteReport;
import ostore.archive.manifest.Manifest;
import ostore.client.RingSpec;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;

/**
 * Archives every certified version a replica holds, off the update path. The version store
 * decorator ({@link ArchivingVersionStore}) queues a version when its certificate is attached; a
 * dispatcher thread hands due entries to a small pool of workers, each of which reads the version
 * and its blocks from the replica's own store and writes it with {@link ArchiveWriter} onto the
 * ring's storage nodes.
 *
 * <p><b>Who archives.</b> One replica, the <em>designated</em> one for the object (the AGUID's last
 * byte modulo n), archives a version as soon as it is queued; the others wait a grace period, then
 * look for a verified manifest of it on the storage nodes and write it themselves only if there is
 * none. Manifests are deterministic, so a second writer stores nothing new. Designating by object
 * rather than by version keeps all of an object's versions with one replica, which archives them in
 * seq order and keeps the previous manifest in memory for dedup, instead of fetching it back.
 *
 * <p><b>Order and failures.</b> An object's versions go one at a time in seq order (a version waits
 * while its predecessor is pending here). A failed attempt (storage nodes down beyond m, a node
 * refusing) stays queued with its reason and is tried again after a doubling back-off; a restart
 * makes every entry due at once. Nothing leaves the queue but a successful write or a verified
 * manifest found on the storage nodes.
 */
public final class ReplicaArchiver implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReplicaArchiver.class.getName());
    /** How many queue entries the dispatcher looks at per pass; the rest wait their turn. */
    static final int WINDOW = 1024;
    /** How often the dispatcher looks at the queue when nothing wakes it. */
    private static final long IDLE_MILLIS = 1000;
    /** The least time between two passes over the queue. */
    private static final long MIN_PASS_GAP_MILLIS = 20;
    /** How many previous manifests are kept for dedup. */
    private static final int MANIFEST_CACHE = 64;

    private final int id;
    private final int replicas;
    private final VersionStore store;
    private final ArchiveOptions options;
    private final RingStorage storage;
    private final ArchiveInspector inspector;
    private final ArchiveWriter writer;
    private final ArchiveQueue queue;
    private final ExecutorService workers;
    private final Thread dispatcher;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Set<Aguid> inFlight = new HashSet<>();
    private final Map<Aguid, Manifest> latest = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Aguid, Manifest> eldest) {
            return size() > MANIFEST_CACHE;
        }
    };
    private final AtomicLong archived = new AtomicLong();
    private final AtomicLong foundArchived = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong enqueueFailures = new AtomicLong();
    private volatile boolean closed;

    private ReplicaArchiver(int id, RingSpec ring, VersionStore store, ArchiveOptions options, RingStorage storage,
            ArchiveQueue queue) {
        this.id = id;
        this.replicas = ring.n();
        this.store = store;
        this.options = options;
        this.storage = storage;
        this.inspector = new ArchiveInspector(storage);
        this.writer = new ArchiveWriter(storage, options.code());
        this.queue = queue;
        this.workers = Executors.newFixedThreadPool(options.workers(),
                Thread.ofPlatform().name("ostore-archive-" + id + "-", 0).daemon().factory());
        this.dispatcher = Thread.ofPlatform().name("ostore-archive-dispatch-" + id).daemon().unstarted(this::dispatch);
    }

    /**
     * Opens the queue in {@code dir} and starts archiving from {@code store} (the replica's store
     * itself, not the decorator) onto the storage nodes {@code ring} lists.
     *
     * @throws IllegalArgumentException if the ring lists fewer storage nodes than the code needs
     */
    public static ReplicaArchiver start(RingSpec ring, int id, VersionStore store, Path dir, ArchiveOptions options)
            throws IOException {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(options, "options");
        if (ring.storageNodes().size() < options.code().totalShards()) {
            throw new IllegalArgumentException("the archive code " + options.code().dataShards() + "+"
                    + options.code().parityShards() + " needs " + options.code().totalShards()
                    + " storage nodes, the ring configuration lists " + ring.storageNodes().size());
        }
        ArchiveQueue queue = ArchiveQueue.open(dir, System.currentTimeMillis());
        RingStorage storage = RingStorage.connect(ring, ostore.node.storage.RemoteFragmentStore.DEFAULT_DEADLINE);
        ReplicaArchiver a = new ReplicaArchiver(id, ring, store, options, storage, queue);
        a.dispatcher.start();
        long pending = queue.size();
        if (pending > 0) {
            LOG.info(() -> "replica " + id + ": " + pending + " versions still to archive from before the restart");
        }
        return a;
    }

    /**
     * The archiver a replica of {@code ring} runs, or null (logged) when the ring file lists no
     * storage nodes or fewer than the code needs: the replica then serves without archiving.
     */
    public static ReplicaArchiver forReplica(RingSpec ring, int id, VersionStore store, Path dir,
            ArchiveOptions options) throws IOException {
        if (!ring.archives()) {
            LOG.info(() -> "replica " + id + ": the ring configuration lists no storage nodes; versions are not archived");
            return null;
        }
        if (ring.storageNodes().size() < options.code().totalShards()) {
            LOG.warning(() -> "replica " + id + ": the ring configuration lists " + ring.storageNodes().size()
                    + " storage nodes, the archive code " + options.code().dataShards() + "+"
                    + options.code().parityShards() + " needs " + options.code().totalShards()
                    + "; versions are not archived");
            return null;
        }
        return start(ring, id, store, dir, options);
    }

    /** The store as the replica core should see it: attaching a certificate queues the version. */
    public VersionStore wrap(VersionStore versions) {
        return new ArchivingVersionStore(versions, this);
    }

    /** Whether this replica archives {@code aguid}'s versions first. */
    public boolean designated(Aguid aguid) {
        return Byte.toUnsignedInt(aguid.hash().byteAt(31)) % replicas == id;
    }

    /**
     * Queues a version (called on the replica's thread: one unsynced local write, no network). A
     * failure to write the queue is logged and counted, never thrown at the replica core.
     */
    void enqueue(Aguid aguid, long seq) {
        try {
            if (queue.enqueue(aguid, seq, System.currentTimeMillis())) {
                signal();
            }
        } catch (RuntimeException e) {
            enqueueFailures.incrementAndGet();
            LOG.log(Level.SEVERE, "replica " + id + " could not queue " + aguid + " seq " + seq + " for archiving", e);
        }
    }

    /** Makes the queue durable; runs with the store's sync. */
    void sync() {
        queue.sync();
    }

    /**
     * The backlog: versions queued and not yet archived, the age of the oldest, how many of the
     * first {@link #WINDOW} failed at least once and the last reason of the oldest failing one.
     */
    public record Backlog(int replica, long pending, long oldestAgeMillis, long failing, String lastError,
            long archived, long foundArchived, long failures, long enqueueFailures) {}

    public Backlog backlog() {
        long now = System.currentTimeMillis();
        List<ArchiveQueue.Pending> window = queue.scan(WINDOW);
        long failing = window.stream().filter(p -> p.attempts() > 0).count();
        String lastError = window.stream().filter(p -> p.attempts() > 0).map(ArchiveQueue.Pending::lastError)
                .findFirst().orElse("");
        long oldest = window.isEmpty() ? 0 : Math.max(0, now - window.getFirst().queuedAtMillis());
        return new Backlog(id, queue.size(), oldest, failing, lastError, archived.get(), foundArchived.get(),
                failures.get(), enqueueFailures.get());
    }

    /** What this replica knows of one version: archived here or seen archived, pending, or nothing. */
    public sealed interface Local {
        record Done(ArchiveQueue.Done done) implements Local {}

        record Pending(ArchiveQueue.Pending pending, boolean designated) implements Local {}

        record Unknown() implements Local {}
    }

    public Local local(Aguid aguid, long seq) {
        Optional<ArchiveQueue.Done> d = queue.done(aguid, seq);
        if (d.isPresent()) {
            return new Local.Done(d.get());
        }
        Optional<ArchiveQueue.Pending> p = queue.pending(aguid, seq);
        return p.<Local>map(x -> new Local.Pending(x, designated(aguid))).orElseGet(Local.Unknown::new);
    }

    /** The storage nodes this replica archives to. */
    public RingStorage storage() {
        return storage;
    }

    public ArchiveInspector inspector() {
        return inspector;
    }

    private void signal() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void dispatch() {
        while (!closed) {
            long passStart = System.currentTimeMillis();
            long nextWake;
            try {
                nextWake = dispatchOnce(System.currentTimeMillis());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "replica " + id + ": archive dispatch failed; retrying", e);
                nextWake = System.currentTimeMillis() + IDLE_MILLIS;
            }
            lock.lock();
            try {
                long wait = nextWake - System.currentTimeMillis();
                if (!closed && wait > 0) {
                    wake.await(wait, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            // Under a stream of updates every enqueue signals: look at the queue at most this often.
            long early = passStart + MIN_PASS_GAP_MILLIS - System.currentTimeMillis();
            if (early > 0 && !closed) {
                try {
                    Thread.sleep(early);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Hands every due entry it can to a worker; returns when to look again. */
    private long dispatchOnce(long now) {
        long nextWake = now + IDLE_MILLIS;
        List<ArchiveQueue.Pending> window = queue.scan(WINDOW);
        Set<Aguid> blocked;
        lock.lock();
        try {
            blocked = new HashSet<>(inFlight);
        } finally {
            lock.unlock();
        }
        for (ArchiveQueue.Pending p : window) {
            // An object's first pending version blocks its later ones, so versions go in seq order.
            if (!blocked.add(p.aguid())) {
                continue;
            }
            long due = Math.max(p.nextAttemptMillis(),
                    designated(p.aguid()) ? p.queuedAtMillis() : p.queuedAtMillis() + options.grace().toMillis());
            if (due > now) {
                nextWake = Math.min(nextWake, due);
                continue;
            }
            lock.lock();
            try {
                if (closed || inFlight.size() >= options.workers()) {
                    return nextWake;
                }
                inFlight.add(p.aguid());
            } finally {
                lock.unlock();
            }
            workers.execute(() -> work(p));
        }
        return nextWake;
    }

    private void work(ArchiveQueue.Pending p) {
        try {
            ArchiveQueue.Done done = archive(p.aguid(), p.seq());
            queue.complete(p, done);
            (done.byPeer() ? foundArchived : archived).incrementAndGet();
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            long wait = options.backoffMillis(p.attempts() + 1);
            if (!closed) {
                LOG.warning(() -> "replica " + id + ": archiving " + p.aguid() + " seq " + p.seq() + " failed (attempt "
                        + (p.attempts() + 1) + ", next in " + wait + " ms): " + reason);
                try {
                    queue.failed(p, System.currentTimeMillis() + wait, reason);
                } catch (RuntimeException f) {
                    LOG.log(Level.WARNING, "recording the failure failed", f);
                }
            }
        } finally {
            lock.lock();
            try {
                inFlight.remove(p.aguid());
                wake.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private ArchiveQueue.Done archive(Aguid aguid, long seq) throws IOException {
        long now = System.currentTimeMillis();
        if (!designated(aguid)) {
            Optional<Hash32> found = inspector.entryPresent(aguid, seq, (int) ((seq + id) % storage.count()));
            if (found.isPresent()) {
                // Another replica archived it (what it placed is for Status to count, live).
                return new ArchiveQueue.Done(found.get(), -1, 0, 0, true, now);
            }
            LOG.info(() -> "replica " + id + ": " + aguid + " seq " + seq + " has no archive index entry after the grace"
                    + " period; archiving it here");
        }
        StoredVersion v = store.read(aguid, new Selector.BySeq(seq)).orElseThrow(
                () -> new ArchiveException("version " + seq + " of " + aguid + " is not in this replica's store"));
        byte[] certificate = store.certificate(aguid, seq).orElseThrow(
                () -> new ArchiveException("version " + seq + " of " + aguid + " has no certificate here"));
        Optional<Manifest> previous = seq == 1 ? Optional.empty() : previous(aguid, seq - 1);
        WriteReport r = writer.write(v.root(), v.blocks(), (bguid, length) -> store.block(bguid).orElseThrow(
                () -> new ArchiveException("block " + bguid + " of " + aguid + " seq " + seq + " is not in this replica's store")),
                previous, certificate, Progress.NONE);
        synchronized (latest) {
            latest.put(aguid, r.manifest());
        }
        if (!r.complete()) {
            LOG.warning(() -> "replica " + id + ": archived " + aguid + " seq " + seq + " with " + r.unplaced().size()
                    + " fragments unplaced (nodes down: " + r.nodesDown() + "); a scrub will place them");
        }
        int total = r.manifest().stripes().size() * options.code().totalShards();
        return new ArchiveQueue.Done(r.manifestName(), r.archivedBytes(), r.fragmentsPlaced(), total, false, now);
    }

    /** The manifest of {@code seq} for dedup: the one in memory, else from the storage nodes, else none. */
    private Optional<Manifest> previous(Aguid aguid, long seq) {
        synchronized (latest) {
            Manifest m = latest.get(aguid);
            if (m != null && m.seq() == seq) {
                return Optional.of(m);
            }
        }
        try {
            return Optional.of(inspector.manifest(aguid, seq));
        } catch (ArchiveException e) {
            // Without it every block counts as new: more bytes archived, never fewer.
            return Optional.empty();
        }
    }

    /** Stops the dispatcher and lets the writes in flight finish (they stay queued if they do not). */
    @Override
    public void close() {
        closed = true;
        signal();
        dispatcher.interrupt();
        workers.shutdown();
        try {
            dispatcher.join(TimeUnit.SECONDS.toMillis(10));
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                workers.shutdownNow();
                workers.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        storage.close();
        queue.close();
    }
}
