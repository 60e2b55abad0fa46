package ostore.ring.sim;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.Bguid;
import ostore.crypto.PublicKey;
import ostore.store.AuthenticatedUpdate;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.SnapshotPage;
import ostore.store.VersionStore;
import ostore.store.memory.MemoryVersionStore;

/**
 * The version store a simulated replica gets: a {@link MemoryVersionStore} that reports every
 * apply to the checkers. Observing here, below the replica, means a replica's own bookkeeping
 * cannot hide what it really executed.
 */
final class ObservedVersionStore implements VersionStore {
    private final MemoryVersionStore store;
    private final int replica;
    private final String instance;
    private final ToIntFunction<Aguid> colorOf;
    private final Consumer<Executed> observer;

    ObservedVersionStore(MemoryVersionStore store, int replica, String instance, ToIntFunction<Aguid> colorOf,
            Consumer<Executed> observer) {
        this.store = store;
        this.replica = replica;
        this.instance = instance;
        this.colorOf = colorOf;
        this.observer = observer;
    }

    /** The store as a crash leaves it: only what the last {@link #sync()} made durable. */
    MemoryVersionStore crash() {
        return store.crashed();
    }

    /** The store trusts the caller's color; the ring must pass the color of the object it orders. */
    @Override
    public Outcome apply(AuthenticatedUpdate update, long timestampMicros, int color, long position) {
        assert color == colorOf.applyAsInt(update.update().aguid())
                : "replica " + replica + " applied an update of color " + colorOf.applyAsInt(update.update().aguid())
                        + " as color " + color;
        Outcome o = store.apply(update, timestampMicros, color, position);
        observer.accept(new Executed(replica, instance, color, position, timestampMicros, update,
                Executed.Effect.of(o)));
        return o;
    }

    @Override
    public long appliedPosition(int color) {
        return store.appliedPosition(color);
    }

    @Override
    public Hash32 storeDigest(int color) {
        return store.storeDigest(color);
    }

    @Override
    public SnapshotPage snapshot(int color, long afterPosition, long upToPosition, int maxBytes) {
        return store.snapshot(color, afterPosition, upToPosition, maxBytes);
    }

    @Override
    public void clearColor(int color) {
        store.clearColor(color);
    }

    @Override
    public boolean installing(int color) {
        return store.installing(color);
    }

    /** Installed records were executed (and observed) at the replica that served them, not here. */
    @Override
    public void install(int color, SnapshotPage page) {
        store.install(color, page);
    }

    @Override
    public void finishInstall(int color) {
        store.finishInstall(color);
    }

    @Override
    public Optional<Outcome.Rejected> precheck(AuthenticatedUpdate update) {
        return store.precheck(update);
    }

    @Override
    public Optional<StoredVersion> read(Aguid aguid, Selector selector) {
        return store.read(aguid, selector);
    }

    @Override
    public Optional<byte[]> block(Bguid bguid) {
        return store.block(bguid);
    }

    @Override
    public List<HistoryEntry> history(Aguid aguid, long fromIndex, long limit) {
        return store.history(aguid, fromIndex, limit);
    }

    @Override
    public Optional<HistoryEntry> findByNonce(Aguid aguid, PublicKey writer, long nonce) {
        return store.findByNonce(aguid, writer, nonce);
    }

    @Override
    public void attachCertificate(Aguid aguid, long seq, byte[] certificate) {
        store.attachCertificate(aguid, seq, certificate);
    }

    @Override
    public Optional<byte[]> certificate(Aguid aguid, long seq) {
        return store.certificate(aguid, seq);
    }

    @Override
    public void sync() {
        store.sync();
    }

    @Override
    public void close() {
        store.close();
    }
}
