package ostore.ring.bft;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import ostore.crypto.Hash32;

/**
 * Where a color's log holds what its lane still needs: the oldest record about each batch it may
 * still need (kept history, slots) and each payload of the color that memory holds. A checkpoint
 * trims the log below the lowest, in place ({@link Checkpointer}). Positions may be lower than the
 * truth, never higher. Owned by one {@link Lane}; the replica's thread only.
 */
final class LogPositions {
    private final TreeMap<Long, Long> records = new TreeMap<>();
    private final Map<Hash32, Long> payloads = new HashMap<>();

    /** Whether some record about batch {@code seqno} is known to be in the log (see {@link #noteRecord}). */
    boolean hasRecord(long seqno) {
        return records.containsKey(seqno);
    }

    /** The lowest log position of a record about a batch still needed, or {@link Long#MAX_VALUE}. */
    long lowestRecordPosition() {
        return records.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
    }

    /** Where the log holds the payload {@code digest}, or null if not known. */
    Long payloadPosition(Hash32 digest) {
        return payloads.get(digest);
    }

    /** A record about batch {@code seqno} is (about to be) at {@code position}. */
    void noteRecord(long seqno, long position) {
        records.merge(seqno, position, Math::min);
    }

    /** Batch {@code seqno}'s record was written again at {@code position}, whole: those below may go. */
    void movedRecord(long seqno, long position) {
        records.put(seqno, position);
    }

    /** The payload {@code digest} is (about to be) at {@code position} of the log. */
    void notePayload(Hash32 digest, long position) {
        payloads.merge(digest, position, Math::min);
    }

    /** The payload {@code digest} was written again at {@code position}: the copy below may go. */
    void movedPayload(Hash32 digest, long position) {
        payloads.put(digest, position);
    }

    /** Records of batches below {@code seqno} are no longer needed. */
    void forgetRecordsBelow(long seqno) {
        records.headMap(seqno, false).clear();
    }

    /** Only the payloads in {@code live} are still held. */
    void retainPayloads(Set<Hash32> live) {
        payloads.keySet().retainAll(live);
    }

    /** The log was rewritten from {@code first} on with everything still needed: nothing lies below it. */
    void rewrittenFrom(long first) {
        records.replaceAll((seqno, at) -> Math.max(at, first));
        payloads.replaceAll((digest, at) -> Math.max(at, first));
    }
}
