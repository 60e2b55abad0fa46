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
     * index out of range, search on an encrypted object, ...). Nothing enters history and no
     * version is made, but what is recorded depends on when the refusal came:
     * <ul>
     *   <li>from {@link VersionStore#apply}, after the update was ordered: its nonce is burned. The
     *       nonce index records (aguid, writer, nonce) with the update's digest and this rejection,
     *       so the same signed update sent again gets this same rejection even once the state would
     *       allow it (else anyone who saw the signed bytes could make it commit later, although
     *       its writer was told it failed), and another update with that nonce is
     *       {@link Rejection#NONCE_REUSED}. To try again the writer signs a new nonce.
     *   <li>from {@link VersionStore#precheck}, before ordering: nothing at all is recorded, since
     *       the update was never ordered; the writer may fix it and reuse the nonce.
     * </ul>
     */
    record Rejected(Rejection reason, String message) implements Outcome {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Why an update was rejected; the edge maps each to a gRPC status. {@link #code()} is the
     * number stored on disk and signed in results: stable, never reused, never an ordinal.
     */
    enum Rejection {
        UNKNOWN_OBJECT(1),
        NOT_A_WRITER(2),
        NOT_THE_OWNER(3),
        BAD_CREATION(4),
        INVALID_ACTION(5),
        ENCRYPTED_OBJECT(6),
        NONCE_REUSED(7),
        LIMIT_EXCEEDED(8);

        private final int code;

        Rejection(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** @throws IllegalArgumentException for a code no rejection has */
        public static Rejection ofCode(int code) {
            for (Rejection r : values()) {
                if (r.code == code) {
                    return r;
                }
            }
            throw new IllegalArgumentException("rejection code (" + code + ") is unknown");
        }
    }
}
