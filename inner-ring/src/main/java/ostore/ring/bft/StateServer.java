package ostore.ring.bft;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.ChainLink;
import ostore.ring.bft.Message.ChainedBatch;
import ostore.ring.bft.Message.CommitProof;
import ostore.ring.bft.Message.State;

/**
 * Builds the pages of STATE a replica answers FETCH-STATE with, each within a byte budget so
 * that no frame comes near {@link RingConfig#MAX_FRAME_BYTES}: a peer that fell 256 batches of
 * 256 updates behind would otherwise be sent one answer of gigabytes. A page holds as many whole
 * batches as fit (always one), the rest of the chain to the checkpoint as 64-byte links, and
 * payloads while the budget lasts (always one); the asker fetches what did not fit.
 */
final class StateServer {
    private static final System.Logger LOG = System.getLogger(StateServer.class.getName());
    /**
     * The default page budget: far under the frame limit (a page always holds one batch and one
     * payload, whatever their size), and small enough that a page crosses a 10 Mbit/s link in
     * about a second, so a transfer never holds a slow link for long at a time.
     */
    static final int PAGE_BYTES = 1 << 20;
    /** What encoding a batch or a proof adds besides its digests and frames (counts, seqnos, roots). */
    private static final int OVERHEAD_BYTES = 64;

    private final Replica r;
    private final int pageBytes;

    StateServer(Replica r, int pageBytes) {
        if (pageBytes < 1) {
            throw new IllegalArgumentException("pageBytes (" + pageBytes + ") must be >= 1");
        }
        this.r = r;
        this.pageBytes = pageBytes;
    }

    int pageBytes() {
        return pageBytes;
    }

    /** The lowest seqno of {@code lane} this replica can still send in full. */
    static long firstRetained(Lane lane) {
        return lane.history().isEmpty() ? lane.stable() + 1 : Math.min(lane.history().firstKey(), lane.stable() + 1);
    }

    /** The page that starts at {@code from}; null if this replica lacks a payload it should hold. */
    State page(Lane lane, long from) {
        long firstRetained = firstRetained(lane);
        List<ChainedBatch> chained = new ArrayList<>();
        List<ChainLink> links = new ArrayList<>();
        Set<Hash32> digests = new LinkedHashSet<>();
        long bytes = 0;
        if (from >= firstRetained) {
            for (long n = from; n <= lane.stable(); n++) {
                Lane.Executed e = lane.history().get(n);
                long cost = OVERHEAD_BYTES + (long) Hash32.LENGTH * e.batch().digests().size();
                if (links.isEmpty() && (chained.isEmpty() || bytes + cost <= pageBytes)) {
                    chained.add(new ChainedBatch(n, e.batch().timestampMicros(), e.batch().digests(), e.resultsRoot()));
                    digests.addAll(e.batch().digests());
                    bytes += cost;
                } else {
                    links.add(new ChainLink(e.batch().batchDigest(), e.resultsRoot()));
                    bytes += 2 * Hash32.LENGTH;
                }
            }
        }
        List<CommitProof> committed = new ArrayList<>();
        if (links.isEmpty()) {
            for (long n = Math.max(from, lane.stable() + 1); hasCommitProof(lane, n); n++) {
                CommitProof p = lane.slotAt(n).commitProof();
                long cost = cost(p);
                if (!(chained.isEmpty() && committed.isEmpty()) && bytes + cost > pageBytes) {
                    break;
                }
                committed.add(p);
                digests.addAll(p.prePrepare().message().digests());
                bytes += cost;
            }
        }
        List<byte[]> payloads = payloads(lane, digests, bytes);
        return payloads == null ? null : new State(lane.color, lane.stable(), lane.stableDigest(), lane.stableProof(),
                firstRetained, chained, links, committed, payloads);
    }

    static boolean hasCommitProof(Lane lane, long seqno) {
        Slot s = lane.slotAt(seqno);
        return s != null && s.commitProof() != null;
    }

    private static long cost(CommitProof p) {
        long c = OVERHEAD_BYTES + p.prePrepare().frameUnsafe().length;
        for (Signed<Message.Commit> commit : p.commits()) {
            c += 4 + commit.frameUnsafe().length;
        }
        return c;
    }

    /** The payloads of {@code digests}, in order, while the page has room (the first always). */
    private List<byte[]> payloads(Lane lane, Set<Hash32> digests, long used) {
        List<byte[]> out = new ArrayList<>();
        long bytes = used;
        for (Hash32 d : digests) {
            ReplicaState.Payload p = r.state.payload(d);
            if (p == null) {
                LOG.log(System.Logger.Level.ERROR, "replica {0}: color {1} keeps a batch ordering {2} without its "
                        + "payload; it cannot serve state", r.id, lane.color, d);
                return null;
            }
            long cost = 4 + p.signedUpdate().length;
            if (out.isEmpty() || bytes + cost <= pageBytes) {
                out.add(p.signedUpdate());
                bytes += cost;
            }
        }
        return out;
    }

    /** The held payloads of {@code digests}, in order, within one page's budget (the first always). */
    List<byte[]> payloads(List<Hash32> digests) {
        List<byte[]> out = new ArrayList<>();
        long bytes = 0;
        for (Hash32 d : digests) {
            ReplicaState.Payload p = r.state.payload(d);
            if (p == null) {
                continue;
            }
            long cost = 4 + p.signedUpdate().length;
            if (!out.isEmpty() && bytes + cost > pageBytes) {
                break;
            }
            out.add(p.signedUpdate());
            bytes += cost;
        }
        return out;
    }
}
