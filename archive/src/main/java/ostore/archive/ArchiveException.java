package ostore.archive;

import java.io.IOException;

/** An archive write, restore or scrub could not do what it was asked; the message says why. */
public class ArchiveException extends IOException {
    private static final long serialVersionUID = 1L;

    public ArchiveException(String message) {
        super(message);
    }

    public ArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
