package ostore.archive.store;

import java.nio.ByteBuffer;
import ostore.crypto.Aguid;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;

/** How archive objects and index keys are named. Part of the storage format: never change one. */
public final class ArchiveNames {
    private ArchiveNames() {}

    /** The name of an archive object: SHA-256 over {@link Domain#ARCHIVE_OBJECT} and its bytes. */
    public static Hash32 objectName(byte[] bytes) {
        return Hashing.hash(Domain.ARCHIVE_OBJECT, bytes);
    }

    /** The index key of version {@code seq} of {@code aguid}: {@link Domain#ARCHIVE_INDEX}, aguid, u64 seq. */
    public static Hash32 indexKey(Aguid aguid, long seq) {
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1, got " + seq);
        }
        ByteBuffer b = ByteBuffer.allocate(Hash32.LENGTH + Long.BYTES);
        b.put(aguid.hash().toBytes()).putLong(seq);
        return Hashing.hash(Domain.ARCHIVE_INDEX, b.array());
    }
}
