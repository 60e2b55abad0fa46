package ostore.store;

import java.util.Objects;
import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.Vguid;

/**
 * One record of an object's history: a commit or an abort, in execution order.
 *
 * @param index position in the object's history, from 0, counting commits and aborts
 * @param seq the version created (commit) or the latest seq at the time (abort; 0 if none)
 * @param vguid the version created; empty for an abort
 * @param clauseIndex the clause that committed; -1 for an abort
 * @param abortReason why it aborted; empty for a commit
 */
public record HistoryEntry(
        Aguid aguid,
        long index,
        boolean committed,
        Hash32 updateDigest,
        PublicKey writer,
        long nonce,
        long seq,
        Optional<Vguid> vguid,
        long timestampMicros,
        int clauseIndex,
        String abortReason) {
    public HistoryEntry {
        Objects.requireNonNull(aguid, "aguid");
        Objects.requireNonNull(updateDigest, "updateDigest");
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(vguid, "vguid");
        Objects.requireNonNull(abortReason, "abortReason");
        assert committed == vguid.isPresent() : "a commit has a VGUID, an abort none";
        assert committed == (clauseIndex >= 0) : "a commit names its clause, an abort none";
    }
}
