package ostore.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;

/**
 * A {@link VersionStore} that hands every call to another one, for decorators that change a few
 * calls (queueing certified versions for the archive, observing applies in the simulator, a store
 * that lies in a test) and must pass the rest through unchanged: a method added to the interface is
 * added here once, not in each decorator.
 */
public abstract class ForwardingVersionStore implements VersionStore {
    private final VersionStore delegate;

    protected ForwardingVersionStore(VersionStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The store every call goes to. */
    protected final VersionStore delegate() {
        return delegate;
    }

    @Override
    public Outcome apply(AuthenticatedUpdate update, long timestampMicros, int color, long position) {
        return delegate.apply(update, timestampMicros, color, position);
    }

    @Override
    public long appliedPosition(int color) {
        return delegate.appliedPosition(color);
    }

    @Override
    public Optional<Outcome.Rejected> precheck(AuthenticatedUpdate update) {
        return delegate.precheck(update);
    }

    @Override
    public Optional<Outcome.Rejected> precheckWithoutState(AuthenticatedUpdate update) {
        return delegate.precheckWithoutState(update);
    }

    @Override
    public Optional<StoredVersion> read(Aguid aguid, Selector selector) {
        return delegate.read(aguid, selector);
    }

    @Override
    public Optional<byte[]> block(Bguid bguid) {
        return delegate.block(bguid);
    }

    @Override
    public List<HistoryEntry> history(Aguid aguid, long fromIndex, long limit) {
        return delegate.history(aguid, fromIndex, limit);
    }

    @Override
    public Optional<HistoryEntry> findByNonce(Aguid aguid, PublicKey writer, long nonce) {
        return delegate.findByNonce(aguid, writer, nonce);
    }

    @Override
    public void attachCertificate(Aguid aguid, long seq, byte[] certificate) {
        delegate.attachCertificate(aguid, seq, certificate);
    }

    @Override
    public Optional<byte[]> certificate(Aguid aguid, long seq) {
        return delegate.certificate(aguid, seq);
    }

    @Override
    public List<Uncertified> uncertified(Uncertified after, int max) {
        return delegate.uncertified(after, max);
    }

    @Override
    public long uncertifiedCount() {
        return delegate.uncertifiedCount();
    }

    @Override
    public Hash32 storeDigest(int color) {
        return delegate.storeDigest(color);
    }

    @Override
    public SnapshotPage snapshot(int color, long afterPosition, long upToPosition, int maxBytes) {
        return delegate.snapshot(color, afterPosition, upToPosition, maxBytes);
    }

    @Override
    public void clearColor(int color) {
        delegate.clearColor(color);
    }

    @Override
    public boolean installing(int color) {
        return delegate.installing(color);
    }

    @Override
    public void install(int color, SnapshotPage page) {
        delegate.install(color, page);
    }

    @Override
    public void finishInstall(int color) {
        delegate.finishInstall(color);
    }

    @Override
    public Bguid stageBlock(byte[] bytes) {
        return delegate.stageBlock(bytes);
    }

    @Override
    public boolean installArchived(ArchivedVersion version, int color, long position, CertificateCheck check) {
        return delegate.installArchived(version, color, position, check);
    }

    @Override
    public void sync() {
        delegate.sync();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
