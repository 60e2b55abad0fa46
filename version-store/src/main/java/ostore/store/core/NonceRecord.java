package ostore.store.core;

import java.util.Objects;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;

/**
 * What the nonce index holds for one (aguid, writer, nonce): the update that used it and how it
 * ended. An ordered update always burns its nonce, whether it committed, aborted or was refused,
 * so the same signed bytes sent again can never take effect later under other state.
 */
public sealed interface NonceRecord {
    /** The digest of the update that used the nonce; another digest with it is a reuse. */
    Hash32 updateDigest();

    /** The update committed or aborted; {@code entry} is its history entry. */
    record Executed(HistoryEntry entry) implements NonceRecord {
        public Executed {
            Objects.requireNonNull(entry, "entry");
        }

        @Override
        public Hash32 updateDigest() {
            return entry.updateDigest();
        }
    }

    /**
     * The update was refused at execution, after it was ordered; it is not in history. A retry
     * with the same digest gets {@code rejected} again.
     */
    record Refused(Aguid aguid, PublicKey writer, long nonce, Hash32 updateDigest, Outcome.Rejected rejected)
            implements NonceRecord {
        public Refused {
            Objects.requireNonNull(aguid, "aguid");
            Objects.requireNonNull(writer, "writer");
            Objects.requireNonNull(updateDigest, "updateDigest");
            Objects.requireNonNull(rejected, "rejected");
        }
    }
}
