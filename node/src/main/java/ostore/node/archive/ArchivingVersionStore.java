package ostore.node.archive;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.store.AuthenticatedUpdate;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.Selector;
import ostore.store.SnapshotPage;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;

/**
 * The replica's version store as its core sees it, with one addition: attaching a version's
 * certificate also queues the version for the deep archive, and syncing the store syncs that queue
 * first. The ring core attaches a certificate once 2f+1 replicas signed the version, which is
 * exactly when the version may be archived (the index entry must carry the certificate), so this
 * catches every certified version, those installed by state transfer included, without the core
 * knowing about the archive. Every other call goes straight to the store.
 */
final class ArchivingVersionStore implements VersionStore {
    private final VersionStore store;
    private final ReplicaArchiver archiver;

    ArchivingVersionStore(VersionStore store, ReplicaArchiver archiver) {
        this.store = Objects.requireNonNull(store, "store");
        this.archiver = Objects.requireNonNull(archiver, "archiver");
    }

    @Override
    public void attachCertificate(Aguid aguid, long seq, byte[] certificate) {
        store.attachCertificate(aguid, seq, certificate);
        archiver.enqueue(aguid, seq);
    }

    /** The queue first: a queue entry may outlive its certificate, never the reverse. */
    @Override
    public void sync() {
        archiver.sync();
        store.sync();
    }

    @Override
    public Outcome apply(AuthenticatedUpdate update, long timestampMicros, int color, long position) {
        return store.apply(update, timestampMicros, color, position);
    }

    @Override
    public long appliedPosition(int color) {
        return store.appliedPosition(color);
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
    public Optional<byte[]> certificate(Aguid aguid, long seq) {
        return store.certificate(aguid, seq);
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

    @Override
    public void install(int color, SnapshotPage page) {
        store.install(color, page);
    }

    @Override
    public void finishInstall(int color) {
        store.finishInstall(color);
    }

    /** The archiver is closed by its owner, after the replica core stops calling this. */
    @Override
    public void close() {
        store.close();
    }
}
