package ostore.archive.manifest;

import java.util.Objects;
import ostore.crypto.Bguid;

/**
 * One row of a manifest's block table: a block of the version, in order, and where its bytes are
 * archived — at {@code offset} in the archived byte stream of version {@code archivedSeq} (this
 * version, or an earlier one whose manifest already holds them).
 */
public record ArchivedBlock(Bguid bguid, int length, long archivedSeq, long offset) {
    public ArchivedBlock {
        Objects.requireNonNull(bguid, "bguid");
        if (length < 0 || archivedSeq < 1 || offset < 0) {
            throw new IllegalArgumentException("block length (" + length + ") and offset (" + offset
                    + ") must be >= 0 and archived seq (" + archivedSeq + ") >= 1");
        }
    }

    /** Where the bytes live, without the name and length. */
    public Location location() {
        return new Location(archivedSeq, offset);
    }

    /** A position in the archived byte stream of one version. */
    public record Location(long seq, long offset) {}
}
