package ostore.archive;

import java.io.IOException;
import ostore.crypto.Bguid;

/** Where an archive write reads a version's block bytes (the replica's version store). */
@FunctionalInterface
public interface BlockSource {
    /**
     * The bytes of block {@code bguid}. The writer checks them against the BGUID and length, so a
     * wrong answer fails the write rather than archiving it.
     */
    byte[] read(Bguid bguid, int length) throws IOException;
}
