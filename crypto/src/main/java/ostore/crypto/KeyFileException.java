package ostore.crypto;

import java.io.IOException;
import java.nio.file.Path;

/** A key file exists but must not be used: it is malformed, inconsistent, or readable by others. */
public final class KeyFileException extends IOException {
    private static final long serialVersionUID = 1L;

    KeyFileException(Path file, String problem) {
        super("key file " + file + ": " + problem);
    }

    KeyFileException(Path file, String problem, Throwable cause) {
        super("key file " + file + ": " + problem, cause);
    }
}
