package ostore.store.memory;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.Vguid;
import ostore.store.HistoryEntry;
import ostore.store.Limits;
import ostore.store.StoredVersion;
import ostore.store.Uncertified;
import ostore.store.core.AbstractVersionStore;
import ostore.store.core.Change;
import ostore.store.core.NonceRecord;

/**
 * A complete {@link ostore.store.VersionStore} in memory, for the inner ring's deterministic
 * simulator, where RocksDB's native threads and timing have no place. Every rule comes from
 * {@link AbstractVersionStore}, shared with {@code RocksVersionStore}, so both give byte-identical
 * outcomes, versions, VGUIDs, history and rejections for the same inputs; only storage differs.
 *
 * <p>Crash model: {@link #sync()} makes the current state durable. {@link #crashed()} models a
 * machine crash of a RocksDB store whose WAL tail was not synced: it returns a new store holding
 * exactly the state of the last sync (a prefix of the applied updates and attached certificates,
 * and every color's applied position as of that sync), and retires this instance, whose every
 * later call throws. The crash copies nothing: durable and live state share one set of maps and
 * immutable block arrays, and the writes since the last sync are undone.
 *
 * <p>Threads: every call takes one lock, so the store is safe to share, and applies of different
 * colors, which the contract lets run concurrently, simply take turns. It is built for a
 * single-threaded simulator and does not let reads run beside an apply.
 */
public final class MemoryVersionStore extends AbstractVersionStore {
    private final Limits limits;
    private final MemoryState state;
    private final ReentrantLock lock = new ReentrantLock();
    private long[] syncedPositions;
    private Hash32[] syncedDigests;
    /** Colors between clearColor and finishInstall: durable at once, as Rocks syncs its mark. */
    private final Set<Integer> installing;
    private boolean closed;
    private boolean crashed;

    /** An empty store. */
    public MemoryVersionStore(Limits limits) {
        this(limits, new MemoryState(), nothingApplied(), noDigests(), new HashSet<>());
    }

    private MemoryVersionStore(Limits limits, MemoryState state, long[] appliedPositions, Hash32[] digests,
            Set<Integer> installing) {
        super(limits, appliedPositions, digests);
        this.limits = limits;
        this.state = state;
        this.syncedPositions = appliedPositions;
        this.syncedDigests = digests;
        this.installing = installing;
    }

    private static Hash32[] noDigests() {
        Hash32[] digests = new Hash32[MAX_COLORS];
        Arrays.fill(digests, EMPTY_DIGEST);
        return digests;
    }

    private static long[] nothingApplied() {
        long[] positions = new long[MAX_COLORS];
        Arrays.fill(positions, -1);
        return positions;
    }

    /**
     * Simulates a crash: returns a new, open store holding exactly what the last {@link #sync()}
     * made durable, with that sync's applied position of every color, so each color's replay
     * resumes after it. This store is retired. A crash after {@link #close()} is allowed: a power
     * loss after a clean close still loses what was never synced.
     *
     * @throws IllegalStateException if this store has already crashed
     */
    public MemoryVersionStore crashed() {
        lock.lock();
        try {
            if (crashed) {
                throw retired();
            }
            crashed = true;
            state.rollBack();
            return new MemoryVersionStore(limits, state, syncedPositions, syncedDigests, installing);
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected <T> T whileOpen(Supplier<T> call) {
        lock.lock();
        try {
            if (crashed) {
                throw retired();
            }
            if (closed) {
                throw new IllegalStateException("the version store is closed");
            }
            return call.get();
        } finally {
            lock.unlock();
        }
    }

    private static IllegalStateException retired() {
        return new IllegalStateException("this version store crashed; use the store crashed() returned");
    }

    @Override
    protected void persist(Change change, int color, long position, Journaled journaled) {
        change.version().ifPresent(v -> {
            change.newBlocks().forEach((bguid, bytes) -> state.putBlockIfAbsent(bguid, bytes.clone()));
            state.addVersion(v);
            state.markUncertified(new Uncertified(v.root().aguid(), v.root().seq(), color, position));
        });
        change.entry().ifPresent(state::addHistory);
        change.refusal().ifPresent(state::addRefusal);
        if (journaled != null) {
            state.addJournal(color, position, journaled.entry());
        }
    }

    @Override
    protected void scanJournal(int color, long after, long upTo, JournalVisitor visitor) {
        state.scanJournal(color, after, upTo, visitor::visit);
    }

    /** Erases and syncs at once: the erase is durable when this returns, as on RocksDB. */
    @Override
    protected void eraseColor(int color) {
        installing.add(color);
        state.eraseColor(color);
        makeDurable();
        syncedPositions[color] = -1;
        syncedDigests[color] = EMPTY_DIGEST;
    }

    @Override
    protected boolean isInstalling(int color) {
        return installing.contains(color);
    }

    @Override
    protected void endInstalling(int color) {
        installing.remove(color);
    }

    @Override
    protected Optional<StoredVersion> latestVersion(Aguid aguid) {
        return state.latest(aguid);
    }

    @Override
    protected Optional<StoredVersion> versionAt(Aguid aguid, long seq) {
        return state.version(aguid, seq);
    }

    @Override
    protected Optional<StoredVersion> versionNamed(Aguid aguid, Vguid vguid) {
        return state.named(aguid, vguid);
    }

    @Override
    protected Optional<StoredVersion> versionAsOf(Aguid aguid, long timestampMicros) {
        return state.asOf(aguid, timestampMicros);
    }

    @Override
    protected Optional<byte[]> blockBytes(Bguid bguid) {
        return state.block(bguid);
    }

    @Override
    protected void storeBlock(Bguid bguid, byte[] bytes) {
        state.putBlockIfAbsent(bguid, bytes);
    }

    @Override
    protected long historyLength(Aguid aguid) {
        return state.historyLength(aguid);
    }

    @Override
    protected List<HistoryEntry> historyRange(Aguid aguid, long fromIndex, long max) {
        return state.history(aguid, fromIndex, max);
    }

    @Override
    protected Optional<NonceRecord> nonceRecord(Aguid aguid, PublicKey writer, long nonce) {
        return state.byNonce(aguid, writer, nonce);
    }

    @Override
    protected void storeCertificate(Aguid aguid, long seq, byte[] certificate) {
        state.putCertificate(aguid, seq, certificate);
    }

    @Override
    protected Optional<byte[]> loadCertificate(Aguid aguid, long seq) {
        return state.certificate(aguid, seq);
    }

    @Override
    protected List<Uncertified> scanUncertified(Uncertified after, int max) {
        return state.uncertified(after, max);
    }

    @Override
    protected long countUncertified() {
        return state.uncertifiedCount();
    }

    /** The applied positions are part of what a later crash keeps. */
    @Override
    protected void makeDurable() {
        state.markDurable();
        syncedPositions = appliedPositions();
        syncedDigests = storeDigests();
    }

    /** Later calls fail, as on a closed RocksDB store; {@link #crashed()} still works. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }
}
