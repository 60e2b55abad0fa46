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
 * version is first to name (a commit).
 *
 * @param outcome what {@link ostore.store.VersionStore#apply} returns
 * @param entry the history entry to record, also the one the nonce index points at
 * @param refusal the rejection to record in the nonce index, never with an entry
 * @param version the new version to store under its seq, VGUID and timestamp
 * @param newBlocks BGUID to bytes of blocks the new version names that may not be stored yet
 */
public record Change(Outcome outcome, Optional<HistoryEntry> entry, Optional<NonceRecord.Refused> refusal,
        Optional<StoredVersion> version, Map<Bguid, byte[]> newBlocks) {
    public Change {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(refusal, "refusal");
        Objects.requireNonNull(version, "version");
        newBlocks = Map.copyOf(newBlocks);
        assert version.isEmpty() || entry.isPresent() : "a new version is always recorded in history";
        assert version.isPresent() || newBlocks.isEmpty() : "new blocks come only with a new version";
        assert entry.isEmpty() || refusal.isEmpty() : "a nonce is either executed or refused";
    }

    /** An answer that writes nothing but the applied position. */
    static Change nothing(Outcome outcome) {
        return new Change(outcome, Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
    }

    /** A rejection at execution: it burns the nonce, and writes nothing else. */
    static Change refused(NonceRecord.Refused refusal) {
        return new Change(refusal.rejected(), Optional.empty(), Optional.of(refusal), Optional.empty(), Map.of());
    }
}
