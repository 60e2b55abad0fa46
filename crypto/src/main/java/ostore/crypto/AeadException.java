package ostore.crypto;

/**
 * A sealed block could not be opened. Checked on purpose: a bad tag is what tampered or corrupted
 * data looks like, and every reader of client-encrypted blocks must decide what to do about it.
 */
public final class AeadException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why opening failed; stable so callers can branch without parsing messages. */
    public enum Reason {
        /** The key is not 32 bytes. */
        BAD_KEY_LENGTH,
        /** The input is shorter than a version byte, a nonce and a tag. */
        TOO_SHORT,
        /** The first byte names a format this code does not know. */
        UNKNOWN_VERSION,
        /** Authentication failed: wrong key, wrong associated data, or altered bytes. */
        BAD_TAG
    }

    private final Reason reason;

    AeadException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    AeadException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
