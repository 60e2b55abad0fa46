package ostore.archive.store;

import java.io.IOException;
import ostore.crypto.Hash32;

/** Bytes that do not match the name they were given or stored under. */
public final class CorruptObjectException extends IOException {
    private final Hash32 name;

    public CorruptObjectException(Hash32 name, String message) {
        super(message);
        this.name = name;
    }

    /** The name the bytes were supposed to have. */
    public Hash32 name() {
        return name;
    }
}
