package ostore.ring.bft;

import java.util.Objects;

/** A frame that must be dropped, and why; nothing about the receiver changed. */
public final class FrameException extends IllegalArgumentException {
    public enum Reason {
        TOO_SHORT,
        TOO_LARGE,
        FORMAT,
        TYPE,
        SENDER,
        SIGNATURE,
        BODY
    }

    private final Reason reason;

    FrameException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    FrameException(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }
}
