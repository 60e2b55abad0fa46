package ostore.archive;

import java.io.IOException;
import ostore.crypto.Bguid;
import ostore.crypto.VersionRoot;

/**
 * Where a restore writes a version, transactionally: a restore only learns that a stripe cannot be
 * rebuilt when it gets there, so blocks already accepted must be discarded if it fails. The sink
 * makes the version visible only on {@link #commit()}; after {@link #abort()} nothing of it may
 * remain. So a failed restore "writes nothing" without holding the version in memory.
 */
public interface BlockSink {
    /** A restore of {@code root} starts; {@code certificate} is the verified certificate bytes. */
    void begin(VersionRoot root, byte[] certificate) throws IOException;

    /** Block {@code index} of the version, in order, its bytes already checked against its BGUID. */
    void accept(long index, Bguid bguid, byte[] bytes) throws IOException;

    /** Every block was accepted and verified: make the version durable and visible. */
    void commit() throws IOException;

    /** The restore failed: discard everything accepted since {@link #begin}. */
    void abort() throws IOException;
}
