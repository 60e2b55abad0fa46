package ostore.ring.bft;

import java.util.List;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.ring.bft.Message.PrePrepare;

/** The arithmetic of a color's state chain and of a batch's weight toward a checkpoint: pure functions. */
final class StateChain {
    /**
     * The chain step after executing {@code batch}: H(prev || color || seqno || batch digest ||
     * results root). Binding the batch as well as its results lets a checkpoint's 2f+1 signatures
     * vouch for every batch below it, so a lagging replica can check what it is sent before it
     * applies any of it.
     */
    static Hash32 chain(Hash32 previous, PrePrepare batch, Hash32 resultsRoot) {
        return chain(previous, batch.color(), batch.seqno(), batch.batchDigest(), resultsRoot);
    }

    /** The same step from the batch's digest alone. */
    static Hash32 chain(Hash32 previous, int color, long seqno, Hash32 batchDigest, Hash32 resultsRoot) {
        byte[] m = new CanonicalEncoder(108).hash(previous).u32(color).i64(seqno)
                .hash(batchDigest).hash(resultsRoot).toByteArray();
        return Hashing.hash(Domain.RING_STATE, m);
    }

    /** The update bytes of a batch's updates, for {@link Lane#executedBatch}: what their actions write. */
    static long weight(List<ostore.store.AuthenticatedUpdate> updates) {
        long bytes = 0;
        for (ostore.store.AuthenticatedUpdate u : updates) {
            for (ostore.store.Clause c : u.update().clauses()) {
                for (ostore.store.Action a : c.actions()) {
                    bytes += switch (a) {
                        case ostore.store.Action.Append x -> x.data().length();
                        case ostore.store.Action.ReplaceBlock x -> x.data().length();
                        case ostore.store.Action.InsertBlock x -> x.data().length();
                        default -> 0;
                    };
                }
            }
        }
        return bytes;
    }

    private StateChain() {}
}
