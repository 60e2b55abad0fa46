package ostore.store.engine;

import java.util.Map;
import java.util.Objects;
import ostore.crypto.Bguid;
import ostore.store.Outcome;
import ostore.store.StoredVersion;

/** What the engine decided for one update; the store turns it into writes and an {@link Outcome}. */
public sealed interface Execution {
    /** Clause {@code clauseIndex} held: store {@code newBlocks} (BGUID to bytes) and {@code version}. */
    record Commit(StoredVersion version, int clauseIndex, Map<Bguid, byte[]> newBlocks) implements Execution {
        public Commit {
            Objects.requireNonNull(version, "version");
            newBlocks = Map.copyOf(newBlocks);
            assert clauseIndex >= 0 : clauseIndex;
        }
    }

    /** No clause held; the history records {@code reason} at {@code timestampMicros}. */
    record Abort(String reason, long timestampMicros) implements Execution {
        public Abort {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The update is invalid against this state; the store records only that it burned its nonce. */
    record Reject(Outcome.Rejected rejected) implements Execution {
        public Reject {
            Objects.requireNonNull(rejected, "rejected");
        }
    }
}
