package ostore.store.core;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.Vguid;
import ostore.store.ArchivedVersion;
import ostore.store.AuthenticatedUpdate;
import ostore.store.HistoryEntry;
import ostore.store.InvalidUpdateException;
import ostore.store.Limits;
import ostore.store.Outcome;
import ostore.store.Outcome.Rejected;
import ostore.store.Outcome.Rejection;
import ostore.store.Selector;
import ostore.store.SnapshotPage;
import ostore.store.StoredVersion;
import ostore.store.Uncertified;
import ostore.store.UpdateValidator;
import ostore.store.VersionStore;
import ostore.store.engine.Execution;
import ostore.store.engine.UpdateEngine;

/**
 * Every rule of the {@link VersionStore} contract, written once: argument checks, the order of
 * log positions within each color, nonce idempotence (a refusal at execution burns the nonce),
 * precheck, and turning the engine's decision into an {@link Outcome} and a history entry. A subclass supplies only storage: lookups and one atomic
 * {@link #persist}. Two stores built on this class therefore give byte-identical outcomes for the
 * same inputs by construction, which is what lets the ring's simulator stand a memory store in
 * for RocksDB.
 *
 * <p>Every public call runs inside {@link #whileOpen}, where the subclass enforces its lifecycle
 * (closed, crashed) and its threading. Applies of different colors may run concurrently, so
 * each color's applied position and store digest are its own atomic slots, written only by that
 * color's apply (or its snapshot install).
 *
 * <p>Snapshots: every apply that writes records also journals them ({@link JournalEntry}) and
 * chains them into the color's store digest, in the same atomic write; {@link #snapshot} serves
 * the journal, {@link #install} writes served entries back through the same {@link #persist}.
 * {@link #installArchived} writes a version from the deep archive the same way: a journal entry
 * with the version alone (no history, no nonce), so it travels in snapshots like any other.
 */
public abstract class AbstractVersionStore implements VersionStore {
    /** The store digest of a color with no records. */
    public static final Hash32 EMPTY_DIGEST = Hash32.of(new byte[Hash32.LENGTH]);

    /** A journal entry's bytes and the color's store digest after it: written with the change. */
    protected record Journaled(byte[] entry, Hash32 digest) {}

    /** A page's entries, served or installed, are visited in position order. */
    @FunctionalInterface
    protected interface JournalVisitor {
        /** @return false to stop the scan */
        boolean visit(long position, byte[] entry);
    }

    private final UpdateEngine engine;
    private final Limits limits;
    private final AtomicLongArray appliedPositions;
    private final AtomicReferenceArray<Hash32> storeDigests;

    /**
     * @param appliedPositions the position the store's storage already records for each color, -1
     *     if none; {@link VersionStore#MAX_COLORS} entries, copied
     * @param storeDigests each color's store digest as its storage records it; as many entries, copied
     */
    protected AbstractVersionStore(Limits limits, long[] appliedPositions, Hash32[] storeDigests) {
        if (limits == null || appliedPositions == null || appliedPositions.length != MAX_COLORS
                || storeDigests == null || storeDigests.length != MAX_COLORS) {
            throw new IllegalArgumentException("limits (" + limits + ") must be non-null and appliedPositions ("
                    + (appliedPositions == null ? "null" : appliedPositions.length + " entries") + ") and storeDigests ("
                    + (storeDigests == null ? "null" : storeDigests.length + " entries") + ") must hold " + MAX_COLORS);
        }
        for (int color = 0; color < MAX_COLORS; color++) {
            if (appliedPositions[color] < -1) {
                throw new IllegalArgumentException("the applied position (" + appliedPositions[color] + ") of color "
                        + color + " must be >= -1");
            }
        }
        this.limits = limits;
        this.engine = new UpdateEngine(limits);
        this.appliedPositions = new AtomicLongArray(appliedPositions);
        this.storeDigests = new AtomicReferenceArray<>(storeDigests.clone());
    }

    @Override
    public final Outcome apply(AuthenticatedUpdate update, long timestampMicros, int color, long position) {
        if (update == null) {
            throw new IllegalArgumentException("update must be non-null");
        }
        checkColor(color);
        return whileOpen(() -> {
            long applied = appliedPositions.get(color);
            if (position <= applied) {
                throw new IllegalStateException("position (" + position + ") must exceed the applied position ("
                        + applied + ") of color " + color + ": the log replayed twice");
            }
            Change change = decide(update, timestampMicros);
            persistJournaled(change, color, position, JournalEntry.of(change, position).map(JournalEntry::encode));
            return change.outcome().orElseThrow();
        });
    }

    /** Persists {@code change} with its journal entry, if any, and moves the color's slots past it. */
    private void persistJournaled(Change change, int color, long position, Optional<byte[]> entry) {
        Journaled journaled = entry.map(bytes -> new Journaled(bytes, JournalEntry.chain(storeDigests.get(color), color,
                bytes))).orElse(null);
        persist(change, color, position, journaled);
        appliedPositions.set(color, position);
        if (journaled != null) {
            storeDigests.set(color, journaled.digest());
        }
    }

    private static void checkColor(int color) {
        if (color < 0 || color >= MAX_COLORS) {
            throw new IllegalArgumentException("color (" + color + ") must be in 0.." + (MAX_COLORS - 1));
        }
    }

    private Change decide(AuthenticatedUpdate u, long timestampMicros) {
        Aguid aguid = u.update().aguid();
        Optional<NonceRecord> earlier = nonceRecord(aguid, u.writer(), u.update().nonce());
        if (earlier.isPresent()) {
            return Change.nothing(answerAgain(earlier.get(), u));
        }
        Optional<StoredVersion> latest = latestVersion(aguid);
        return switch (engine.execute(latest, u, timestampMicros, this::requireBlock)) {
            case Execution.Commit c -> commit(c, u);
            case Execution.Abort a -> abort(a, latest, u);
            case Execution.Reject r -> Change.refused(new NonceRecord.Refused(aguid, u.writer(), u.update().nonce(),
                    u.digest(), r.rejected()));
        };
    }

    /**
     * The same nonce again: the earlier outcome if it is the same update (a refusal included), a
     * refusal otherwise.
     */
    private Outcome answerAgain(NonceRecord earlier, AuthenticatedUpdate u) {
        if (!earlier.updateDigest().equals(u.digest())) {
            return new Rejected(Rejection.NONCE_REUSED, "nonce " + Long.toUnsignedString(u.update().nonce())
                    + " of writer " + u.writer() + " on object " + u.update().aguid() + " was used by update "
                    + earlier.updateDigest() + ", not " + u.digest());
        }
        return switch (earlier) {
            case NonceRecord.Refused refused -> refused.rejected();
            case NonceRecord.Executed executed -> answerAgain(executed.entry());
        };
    }

    private Outcome answerAgain(HistoryEntry earlier) {
        Optional<StoredVersion> version = earlier.seq() == 0 ? Optional.empty()
                : versionAt(earlier.aguid(), earlier.seq());
        if (earlier.committed()) {
            return new Outcome.Committed(version.orElseThrow(() -> new IllegalStateException(
                    "history " + earlier + " names a version that is missing")), earlier);
        }
        return new Outcome.Aborted(version, earlier);
    }

    private Change commit(Execution.Commit c, AuthenticatedUpdate u) {
        StoredVersion v = c.version();
        Aguid aguid = v.root().aguid();
        HistoryEntry entry = new HistoryEntry(aguid, historyLength(aguid), true, u.digest(), u.writer(),
                u.update().nonce(), v.root().seq(), Optional.of(v.vguid()), v.root().timestampMicros(),
                c.clauseIndex(), "");
        return new Change(Optional.of(new Outcome.Committed(v, entry)), Optional.of(entry), Optional.empty(),
                Optional.of(v), c.newBlocks());
    }

    private Change abort(Execution.Abort a, Optional<StoredVersion> latest, AuthenticatedUpdate u) {
        Aguid aguid = u.update().aguid();
        HistoryEntry entry = new HistoryEntry(aguid, historyLength(aguid), false, u.digest(), u.writer(),
                u.update().nonce(), latest.map(v -> v.root().seq()).orElse(0L), Optional.empty(),
                a.timestampMicros(), -1, a.reason());
        return new Change(Optional.of(new Outcome.Aborted(latest, entry)), Optional.of(entry), Optional.empty(),
                Optional.empty(), Map.of());
    }

    private byte[] requireBlock(Bguid bguid) {
        return blockBytes(bguid).orElseThrow(
                () -> new IllegalStateException("block " + bguid + " named by a stored version is missing"));
    }

    @Override
    public final long appliedPosition(int color) {
        checkColor(color);
        return appliedPositions.get(color);
    }

    @Override
    public final Hash32 storeDigest(int color) {
        checkColor(color);
        return storeDigests.get(color);
    }

    /** Every color's store digest, indexed by color: a copy the caller owns. */
    protected final Hash32[] storeDigests() {
        Hash32[] copy = new Hash32[MAX_COLORS];
        for (int color = 0; color < MAX_COLORS; color++) {
            copy[color] = storeDigests.get(color);
        }
        return copy;
    }

    @Override
    public final SnapshotPage snapshot(int color, long afterPosition, long upToPosition, int maxBytes) {
        checkColor(color);
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes (" + maxBytes + ") must be >= 1");
        }
        return whileOpen(() -> Snapshots.page(this, color, afterPosition, upToPosition, maxBytes));
    }

    @Override
    public final void clearColor(int color) {
        checkColor(color);
        whileOpen(() -> {
            eraseColor(color);
            appliedPositions.set(color, -1);
            storeDigests.set(color, EMPTY_DIGEST);
            return null;
        });
    }

    @Override
    public final boolean installing(int color) {
        checkColor(color);
        return whileOpen(() -> isInstalling(color));
    }

    @Override
    public final void install(int color, SnapshotPage page) {
        checkColor(color);
        if (page == null) {
            throw new IllegalArgumentException("page must be non-null");
        }
        whileOpen(() -> {
            if (!isInstalling(color)) {
                throw new IllegalStateException("color " + color + " is not installing a snapshot: clearColor first");
            }
            for (Snapshots.Checked c : Snapshots.check(this, color, appliedPositions.get(color), page)) {
                persistJournaled(c.entry().toChange(c.blocks()), color, c.entry().position(), Optional.of(c.bytes()));
            }
            return null;
        });
    }

    @Override
    public final void finishInstall(int color) {
        checkColor(color);
        whileOpen(() -> {
            makeDurable();
            endInstalling(color);
            return null;
        });
    }

    @Override
    public final Bguid stageBlock(byte[] bytes) {
        if (bytes == null || bytes.length > limits.maxBlockBytes()) {
            throw new IllegalArgumentException("a staged block (" + (bytes == null ? "null" : bytes.length + " bytes")
                    + ") must be non-null and at most " + limits.maxBlockBytes() + " bytes");
        }
        Bguid bguid = Bguid.ofBlock(bytes);
        byte[] copy = bytes.clone();
        whileOpen(() -> {
            storeBlock(bguid, copy);
            return null;
        });
        return bguid;
    }

    /**
     * The certificate is checked first, outside the store's lock (2f+1 signature checks). The
     * version and its journal entry are one atomic write; the certificate follows as a second
     * write, as the ring attaches certificates after applies, and a version found stored without
     * one gets it when installed again.
     */
    @Override
    public final boolean installArchived(ArchivedVersion archived, int color, long position, CertificateCheck check) {
        if (archived == null || check == null) {
            throw new IllegalArgumentException("the archived version (" + archived + ") and the certificate check ("
                    + check + ") must be non-null");
        }
        checkColor(color);
        StoredVersion v = archived.version();
        Aguid aguid = v.root().aguid();
        long seq = v.root().seq();
        String what = "archived version " + seq + " of " + aguid;
        Vguid certified;
        try {
            certified = check.certifiedVguid(aguid, seq, archived.certificate());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": the certificate does not verify: " + e.getMessage(), e);
        }
        if (!certified.equals(v.vguid())) {
            throw new IllegalArgumentException(what + " has VGUID " + v.vguid() + " but its certificate certifies "
                    + certified);
        }
        return whileOpen(() -> {
            Optional<StoredVersion> stored = versionAt(aguid, seq);
            if (stored.isPresent()) {
                if (!stored.get().vguid().equals(v.vguid())) {
                    throw new IllegalStateException(what + " has VGUID " + v.vguid() + " but this store holds that"
                            + " version with VGUID " + stored.get().vguid() + ": the store and the archive disagree");
                }
                if (loadCertificate(aguid, seq).isEmpty()) {
                    storeCertificate(aguid, seq, archived.certificate());
                }
                return false;
            }
            long applied = appliedPositions.get(color);
            if (position <= applied) {
                throw new IllegalStateException("position (" + position + ") must exceed the applied position ("
                        + applied + ") of color " + color);
            }
            List<Bguid> fresh = ArchivedChecks.continuing(v, latestVersion(aguid), this::hasBlock, what);
            byte[] entry = JournalEntry.archived(position, v, fresh).encode();
            persistJournaled(Change.archived(v, Map.of()), color, position, Optional.of(entry));
            storeCertificate(aguid, seq, archived.certificate());
            return true;
        });
    }

    /** Every color's applied position, indexed by color: a copy the caller owns. */
    protected final long[] appliedPositions() {
        long[] copy = new long[MAX_COLORS];
        for (int color = 0; color < MAX_COLORS; color++) {
            copy[color] = appliedPositions.get(color);
        }
        return copy;
    }

    /**
     * Runs every check {@link #apply} would make against the current latest version, writing
     * nothing: a rejection here burns no nonce, since the update was never ordered. It executes the clauses (a search reads the object's bytes), so it costs about as
     * much as executing; the answer may differ from the later apply if other updates come first.
     */
    @Override
    public final Optional<Rejected> precheck(AuthenticatedUpdate update) {
        return precheck(update, true);
    }

    @Override
    public final Optional<Rejected> precheckWithoutState(AuthenticatedUpdate update) {
        return precheck(update, false);
    }

    /** The state-free checks, the nonce, and (if {@code dryRun}) the engine run on the latest version. */
    private Optional<Rejected> precheck(AuthenticatedUpdate update, boolean dryRun) {
        if (update == null) {
            throw new IllegalArgumentException("update must be non-null");
        }
        return whileOpen(() -> {
            try {
                UpdateValidator.validate(update, limits);
            } catch (InvalidUpdateException e) {
                return Optional.of(e.toRejected());
            }
            var u = update.update();
            Optional<NonceRecord> earlier = nonceRecord(u.aguid(), update.writer(), u.nonce());
            if (earlier.isPresent()) {
                return answerAgain(earlier.get(), update) instanceof Rejected r ? Optional.of(r) : Optional.empty();
            }
            if (!dryRun) {
                return Optional.empty();
            }
            Execution execution = engine.execute(latestVersion(u.aguid()), update, Long.MIN_VALUE, this::requireBlock);
            return execution instanceof Execution.Reject r ? Optional.of(r.rejected()) : Optional.empty();
        });
    }

    @Override
    public final Optional<StoredVersion> read(Aguid aguid, Selector selector) {
        if (aguid == null || selector == null) {
            throw new IllegalArgumentException("aguid (" + aguid + ") and selector (" + selector + ") must be non-null");
        }
        return whileOpen(() -> switch (selector) {
            case Selector.Latest l -> latestVersion(aguid);
            case Selector.BySeq s -> s.seq() < 1 ? Optional.empty() : versionAt(aguid, s.seq());
            case Selector.ByVguid v -> versionNamed(aguid, v.vguid());
            case Selector.AsOf t -> versionAsOf(aguid, t.timestampMicros());
        });
    }

    @Override
    public final Optional<byte[]> block(Bguid bguid) {
        if (bguid == null) {
            throw new IllegalArgumentException("bguid must be non-null");
        }
        return whileOpen(() -> blockBytes(bguid));
    }

    @Override
    public final List<HistoryEntry> history(Aguid aguid, long fromIndex, long limit) {
        if (aguid == null || fromIndex < 0 || limit < 0) {
            throw new IllegalArgumentException("aguid (" + aguid + ") must be non-null, fromIndex (" + fromIndex
                    + ") and limit (" + limit + ") must be >= 0");
        }
        return whileOpen(() -> historyRange(aguid, fromIndex, limit == 0 ? Long.MAX_VALUE : limit));
    }

    @Override
    public final Optional<HistoryEntry> findByNonce(Aguid aguid, PublicKey writer, long nonce) {
        if (aguid == null || writer == null) {
            throw new IllegalArgumentException("aguid (" + aguid + ") and writer (" + writer + ") must be non-null");
        }
        return whileOpen(() -> nonceRecord(aguid, writer, nonce)
                .flatMap(r -> r instanceof NonceRecord.Executed e ? Optional.of(e.entry()) : Optional.empty()));
    }

    @Override
    public final void attachCertificate(Aguid aguid, long seq, byte[] certificate) {
        if (aguid == null || certificate == null || certificate.length == 0) {
            throw new IllegalArgumentException("aguid (" + aguid + ") must be non-null and the certificate ("
                    + (certificate == null ? "null" : certificate.length + " bytes") + ") non-empty");
        }
        byte[] copy = certificate.clone();
        whileOpen(() -> {
            if (seq < 1 || versionAt(aguid, seq).isEmpty()) {
                throw new IllegalArgumentException("object " + aguid + " has no version " + seq + " to certify");
            }
            storeCertificate(aguid, seq, copy);
            return null;
        });
    }

    @Override
    public final Optional<byte[]> certificate(Aguid aguid, long seq) {
        if (aguid == null) {
            throw new IllegalArgumentException("aguid must be non-null");
        }
        return whileOpen(() -> seq < 1 ? Optional.empty() : loadCertificate(aguid, seq));
    }

    @Override
    public final List<Uncertified> uncertified(Uncertified after, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max (" + max + ") must be >= 1");
        }
        return whileOpen(() -> scanUncertified(after, max));
    }

    @Override
    public final long uncertifiedCount() {
        return whileOpen(this::countUncertified);
    }

    @Override
    public final void sync() {
        whileOpen(() -> {
            makeDurable();
            return null;
        });
    }

    /**
     * Runs one public call. Throws {@link IllegalStateException} if the store may no longer be
     * used; otherwise runs {@code call} with whatever exclusion the store's threading needs.
     */
    protected abstract <T> T whileOpen(Supplier<T> call);

    /**
     * Writes {@code change} (its version, blocks, history entry, and nonce record: the entry's or
     * the refusal), its journal entry and the color's new digest (when {@code journaled} is not
     * null: a change that writes records), an uncertified mark for the version it stores (see
     * {@link VersionStore#uncertified}) and {@code color}'s new applied position atomically: after a crash the
     * storage holds all of it or none of it. Calls for different colors may run concurrently; they
     * never write the same object.
     */
    protected abstract void persist(Change change, int color, long position, Journaled journaled);

    /**
     * Visits the journal entries of {@code color} at positions in ({@code after}, {@code upTo}], in
     * order, while the visitor returns true.
     */
    protected abstract void scanJournal(int color, long after, long upTo, JournalVisitor visitor);

    /**
     * Durably marks {@code color} installing, then removes every record and journal entry of the
     * color and its applied position and digest. Must be safe to repeat after a crash part-way.
     */
    protected abstract void eraseColor(int color);

    protected abstract boolean isInstalling(int color);

    /** Durably clears the installing mark of {@code color}. */
    protected abstract void endInstalling(int color);

    protected abstract Optional<StoredVersion> latestVersion(Aguid aguid);

    /** @param seq at least 1 */
    protected abstract Optional<StoredVersion> versionAt(Aguid aguid, long seq);

    /** The version named {@code vguid}, if it is a version of {@code aguid}. */
    protected abstract Optional<StoredVersion> versionNamed(Aguid aguid, Vguid vguid);

    /** The latest version whose timestamp is at or before {@code timestampMicros}. */
    protected abstract Optional<StoredVersion> versionAsOf(Aguid aguid, long timestampMicros);

    /** A block's bytes in an array the caller owns and may keep. */
    protected abstract Optional<byte[]> blockBytes(Bguid bguid);

    /** Whether a block is stored; a store that can answer without reading the bytes overrides this. */
    protected boolean hasBlock(Bguid bguid) {
        return blockBytes(bguid).isPresent();
    }

    /**
     * Stores a staged block unless one of its name is already stored; {@code bytes} is the store's
     * own copy. Like an apply's writes, durable after the next {@link #makeDurable()}.
     */
    protected abstract void storeBlock(Bguid bguid, byte[] bytes);

    /** The number of history entries of {@code aguid}, which is the index of the next one. */
    protected abstract long historyLength(Aguid aguid);

    /** @param max at least 1; {@link Long#MAX_VALUE} for all */
    protected abstract List<HistoryEntry> historyRange(Aguid aguid, long fromIndex, long max);

    /** What the nonce index holds for (aguid, writer, nonce): a history entry or a refusal. */
    protected abstract Optional<NonceRecord> nonceRecord(Aguid aguid, PublicKey writer, long nonce);

    /**
     * Stores or replaces the certificate of an existing version and clears its uncertified mark,
     * in one atomic write; {@code certificate} is the store's own copy.
     */
    protected abstract void storeCertificate(Aguid aguid, long seq, byte[] certificate);

    /**
     * Up to {@code max} marks of versions stored without a certificate ({@link #persist} writes
     * them), after {@code after} (null: from the first) in aguid, then seq order.
     */
    protected abstract List<Uncertified> scanUncertified(Uncertified after, int max);

    protected abstract long countUncertified();

    /** @return a copy the caller owns */
    protected abstract Optional<byte[]> loadCertificate(Aguid aguid, long seq);

    /** Makes everything persisted so far survive a crash. */
    protected abstract void makeDurable();
}
