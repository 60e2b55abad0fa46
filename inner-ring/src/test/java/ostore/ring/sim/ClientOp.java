package ostore.ring.sim;

import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.ResultLeaf;

/**
 * One client request as the checkers see it: what was asked, when (global simulated time), and
 * the result the client accepted from f+1 matching signed replies, if it did.
 */
final class ClientOp {
    enum Kind {
        /** Creation present, clause always: append. */
        CREATE_APPEND,
        /** Compare-version EQ (the seq the client last saw): append. Aborts under contention. */
        COMPARE_APPEND,
        /** Clause always: append. */
        APPEND
    }

    final int client;
    final int index;
    final Kind kind;
    final Aguid aguid;
    final Hash32 digest;
    final long invokedMicros;
    private long respondedMicros = -1;
    private ResultLeaf result;

    ClientOp(int client, int index, Kind kind, Aguid aguid, Hash32 digest, long invokedMicros) {
        this.client = client;
        this.index = index;
        this.kind = kind;
        this.aguid = aguid;
        this.digest = digest;
        this.invokedMicros = invokedMicros;
    }

    void complete(long atMicros, ResultLeaf accepted) {
        if (result != null) {
            throw new IllegalStateException(this + " completed twice");
        }
        respondedMicros = atMicros;
        result = accepted;
    }

    boolean done() {
        return result != null;
    }

    long respondedMicros() {
        return respondedMicros;
    }

    Optional<ResultLeaf> result() {
        return Optional.ofNullable(result);
    }

    @Override
    public String toString() {
        return "op c" + client + "#" + index + " " + kind + " on " + aguid.hash().shortHex() + " digest "
                + digest.shortHex() + " invoked@" + invokedMicros
                + (result == null ? " (pending)" : " acked@" + respondedMicros + " " + describe(result));
    }

    static String describe(ResultLeaf leaf) {
        String outcome = switch (leaf.outcome()) {
            case ResultLeaf.COMMITTED -> "committed";
            case ResultLeaf.ABORTED -> "aborted";
            default -> "rejected(" + leaf.rejection() + ")";
        };
        return outcome + " seq=" + leaf.seq() + " vguid=" + leaf.vguid().shortHex();
    }
}
