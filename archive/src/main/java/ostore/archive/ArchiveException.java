package ostore.archive;

import java.io.IOException;

/**
 * An archive write, restore or scrub could not do what it was asked; the message says why.
 *
 * <p>{@link #permanent()} tells a caller that retries (an archive queue) whether trying the same
 * call again can help: a transient failure (nodes down, too few fragments reachable) may pass
 * later; a permanent one (the version's manifest would exceed what a storage node holds) never
 * will with the same inputs and code, so retrying only wastes uploads.
 */
public class ArchiveException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean permanent;

    public ArchiveException(String message) {
        this(message, null, false);
    }

    public ArchiveException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** @param permanent whether the same call with the same inputs is bound to fail again */
    public ArchiveException(String message, Throwable cause, boolean permanent) {
        super(message, cause);
        this.permanent = permanent;
    }

    /** A failure that retrying the same call cannot fix; see the class comment. */
    public static ArchiveException permanent(String message) {
        return new ArchiveException(message, null, true);
    }

    /** Whether retrying the same call with the same inputs is bound to fail the same way. */
    public boolean permanent() {
        return permanent;
    }
}
