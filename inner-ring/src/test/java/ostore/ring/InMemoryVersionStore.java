package ostore.ring;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.VersionRoot;
import ostore.store.AuthenticatedUpdate;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;

/**
 * A version store kept in memory for testing the ring's ordering and replay: every update commits
 * a new, empty version of its object, so the versions record exactly which updates ran, in which
 * order, at which timestamp and log position. {@link #sync} marks what a restart would keep.
 */
class InMemoryVersionStore implements VersionStore {
    private final Map<Aguid, List<StoredVersion>> versions = new HashMap<>();
    private final Map<Aguid, List<HistoryEntry>> history = new HashMap<>();
    private final List<Long> appliedPositions = new ArrayList<>();
    private final Map<String, byte[]> certificates = new HashMap<>();
    private long applied = -1;
    private long synced = -1;
    private int syncs;

    @Override
    public synchronized Outcome apply(AuthenticatedUpdate update, long timestampMicros, long logPosition) {
        if (logPosition <= applied) {
            throw new IllegalArgumentException("logPosition (" + logPosition + ") must exceed " + applied);
        }
        Aguid aguid = update.update().aguid();
        List<StoredVersion> stream = versions.computeIfAbsent(aguid, a -> new ArrayList<>());
        List<HistoryEntry> past = history.computeIfAbsent(aguid, a -> new ArrayList<>());
        VersionRoot root = new VersionRoot(aguid, stream.size() + 1,
                stream.isEmpty() ? Optional.empty() : Optional.of(stream.getLast().vguid()), 0, 0,
                BlockListHash.root(List.of()), timestampMicros, Acl.ownerOnly(update.writer()), update.digest());
        StoredVersion version = new StoredVersion(root, root.vguid(), List.of());
        HistoryEntry entry = new HistoryEntry(aguid, past.size(), true, update.digest(), update.writer(),
                update.update().nonce(), root.seq(), Optional.of(version.vguid()), timestampMicros, 0, "");
        stream.add(version);
        past.add(entry);
        applied = logPosition;
        appliedPositions.add(logPosition);
        return new Outcome.Committed(version, entry);
    }

    @Override
    public synchronized long appliedPosition() {
        return applied;
    }

    synchronized List<Long> appliedPositions() {
        return List.copyOf(appliedPositions);
    }

    synchronized long syncedPosition() {
        return synced;
    }

    synchronized int syncs() {
        return syncs;
    }

    @Override
    public Optional<Outcome.Rejected> precheck(AuthenticatedUpdate update) {
        return Optional.empty();
    }

    @Override
    public synchronized Optional<StoredVersion> read(Aguid aguid, Selector selector) {
        List<StoredVersion> stream = versions.getOrDefault(aguid, List.of());
        return switch (selector) {
            case Selector.Latest l -> stream.isEmpty() ? Optional.empty() : Optional.of(stream.getLast());
            case Selector.BySeq s -> stream.stream().filter(v -> v.root().seq() == s.seq()).findFirst();
            case Selector.ByVguid g -> stream.stream().filter(v -> v.vguid().equals(g.vguid())).findFirst();
            case Selector.AsOf t -> stream.stream()
                    .filter(v -> v.root().timestampMicros() <= t.timestampMicros()).reduce((a, b) -> b);
        };
    }

    @Override
    public Optional<byte[]> block(Bguid bguid) {
        return Optional.empty(); // every version this store makes is empty
    }

    @Override
    public synchronized List<HistoryEntry> history(Aguid aguid, long fromIndex, long limit) {
        List<HistoryEntry> all = history.getOrDefault(aguid, List.of());
        int from = (int) Math.min(fromIndex, all.size());
        int to = limit == 0 ? all.size() : (int) Math.min(all.size(), from + limit);
        return List.copyOf(all.subList(from, to));
    }

    @Override
    public synchronized Optional<HistoryEntry> findByNonce(Aguid aguid, PublicKey writer, long nonce) {
        return history.getOrDefault(aguid, List.of()).stream()
                .filter(h -> h.writer().equals(writer) && h.nonce() == nonce).findFirst();
    }

    @Override
    public synchronized void attachCertificate(Aguid aguid, long seq, byte[] certificate) {
        if (seq < 1 || seq > versions.getOrDefault(aguid, List.of()).size()) {
            throw new IllegalArgumentException("no version " + seq + " of " + aguid);
        }
        certificates.put(aguid + "/" + seq, certificate.clone());
    }

    @Override
    public synchronized Optional<byte[]> certificate(Aguid aguid, long seq) {
        return Optional.ofNullable(certificates.get(aguid + "/" + seq)).map(byte[]::clone);
    }

    @Override
    public synchronized void sync() {
        synced = applied;
        syncs++;
    }

    @Override
    public void close() {}

    /** The test's wire format for a signed update: 32 bytes of AGUID, then the nonce. */
    static byte[] encode(Aguid aguid, long nonce) {
        return java.nio.ByteBuffer.allocate(40).put(aguid.toBytes()).putLong(nonce).array();
    }

    static final PublicKey WRITER = ostore.crypto.SigningKey.fromSeed(new byte[32]).publicKey();

    static AuthenticatedUpdate decode(byte[] bytes) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        byte[] aguid = new byte[32];
        b.get(aguid);
        try {
            Hash32 digest = Hash32.of(MessageDigest.getInstance("SHA-256").digest(bytes));
            return new AuthenticatedUpdate(new ostore.store.Update(Aguid.of(aguid), b.getLong(), List.of(),
                    Optional.empty()), WRITER, digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static SubmittedUpdate submitted(Aguid aguid, long nonce) {
        byte[] bytes = encode(aguid, nonce);
        return new SubmittedUpdate(bytes, decode(bytes));
    }
}
