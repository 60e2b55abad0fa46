package ostore.archive;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import ostore.crypto.Bguid;
import ostore.crypto.VersionRoot;

/**
 * An in-memory transactional {@link BlockSink}: blocks accepted since {@code begin} become the
 * restored content only on {@code commit}; {@code abort} drops them. Records every call so tests
 * can say what a failed restore left behind.
 */
final class CollectingSink implements BlockSink {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final List<Bguid> pendingBlocks = new ArrayList<>();
    private long nextIndex;
    byte[] committed;
    List<Bguid> committedBlocks;
    VersionRoot root;
    byte[] certificate;
    int begins;
    int aborts;
    int commits;

    @Override
    public void begin(VersionRoot root, byte[] certificate) {
        this.root = root;
        this.certificate = certificate;
        pending.reset();
        pendingBlocks.clear();
        nextIndex = 0;
        begins++;
    }

    @Override
    public void accept(long index, Bguid bguid, byte[] bytes) {
        if (index != nextIndex++) {
            throw new AssertionError("block " + index + " out of order, expected " + (nextIndex - 1));
        }
        pending.writeBytes(bytes);
        pendingBlocks.add(bguid);
    }

    @Override
    public void commit() {
        committed = pending.toByteArray();
        committedBlocks = List.copyOf(pendingBlocks);
        commits++;
    }

    @Override
    public void abort() {
        pending.reset();
        pendingBlocks.clear();
        aborts++;
    }
}
