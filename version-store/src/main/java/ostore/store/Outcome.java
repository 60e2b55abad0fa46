package ostore.store;

import java.util.Objects;
import java.util.Optional;

/** What executing an update did. */
public sealed interface Outcome {
    /** A clause held; {@code version} is the new version; recorded in history. */
    record Committed(StoredVersion version, HistoryEntry entry) implements Outcome {
        public Committed {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(entry, "entry");
        }
    }

    /** No clause held; recorded in history; {@code latest} is the unchanged latest version. */
    record Aborted(Optional<StoredVersion> latest, HistoryEntry entry) implements Outcome {
        public Aborted {
            Objects.requireNonNull(latest, "latest");
            Objects.requireNonNull(entry, "entry");
        }
    }

    /**
     * The update is invalid against the current state (unknown object, writer not allowed, block
     * index out of range, search on an encrypted object, ...). Nothing is recorded, so the writer
     * may fix it and retry with the same nonce.
     */
    record Rejected(Rejection reason, String message) implements Outcome {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Why an update was rejected; the edge maps each to a gRPC status. */
    enum Rejection {
        UNKNOWN_OBJECT,
        NOT_A_WRITER,
        NOT_THE_OWNER,
        BAD_CREATION,
        INVALID_ACTION,
        ENCRYPTED_OBJECT,
        NONCE_REUSED,
        LIMIT_EXCEEDED
    }
}
