package ostore.store.engine;

import ostore.crypto.Bguid;

/** Where the engine reads the bytes of blocks the latest version already names. */
@FunctionalInterface
public interface BlockReader {
    /**
     * @return the block's bytes
     * @throws IllegalStateException if the store lacks a block a stored version names (corruption)
     */
    byte[] read(Bguid bguid);
}
