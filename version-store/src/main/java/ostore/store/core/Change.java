package ostore.store.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import ostore.crypto.Bguid;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.StoredVersion;

/**
 * Everything applying one update writes, decided before anything is written, so a store persists
 * it in one atomic step: nothing (a nonce answered again), a refusal in the nonce index (a
 * rejection), a history entry (an abort), or a history entry, a version and the blocks that
 * version is first to name (a commit). A version installed from the deep archive is the one
 * change no update made: a version alone, without history or outcome.
 *
 * @param outcome what {@link ostore.store.VersionStore#apply} returns; empty for an archived version
 * @param entry the history entry to record, also the one the nonce index points at
 * @param refusal the rejection to record in the nonce index, never with an entry
 * @param version the new version to store under its seq, VGUID and timestamp
 * @param newBlocks BGUID to bytes of blocks the new version names that may not be stored yet
 */
public record Change(Optional<Outcome> outcome, Optional<HistoryEntry> entry, Optional<NonceRecord.Refused> refusal,
        Optional<StoredVersion> version, Map<Bguid, byte[]> newBlocks) {
    public Change {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(refusal, "refusal");
        Objects.requireNonNull(version, "version");
        newBlocks = Map.copyOf(newBlocks);
        assert version.isEmpty() || entry.isPresent() || outcome.isEmpty()
                : "a version an update made is always recorded in history";
        assert outcome.isPresent() || version.isPresent() && entry.isEmpty() && refusal.isEmpty()
                : "only an archived version comes without an outcome";
        assert version.isPresent() || newBlocks.isEmpty() : "new blocks come only with a new version";
        assert entry.isEmpty() || refusal.isEmpty() : "a nonce is either executed or refused";
    }

    /** An answer that writes nothing but the applied position. */
    static Change nothing(Outcome outcome) {
        return new Change(Optional.of(outcome), Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
    }

    /** A rejection at execution: it burns the nonce, and writes nothing else. */
    static Change refused(NonceRecord.Refused refusal) {
        return new Change(Optional.of(refusal.rejected()), Optional.empty(), Optional.of(refusal), Optional.empty(),
                Map.of());
    }

    /**
     * A version from the deep archive: the version alone. Its blocks were staged before, or come
     * with a snapshot page ({@code blocks}), and no update made it, so there is no outcome, history
     * entry or nonce.
     */
    static Change archived(StoredVersion version, Map<Bguid, byte[]> blocks) {
        return new Change(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(version), blocks);
    }
}
