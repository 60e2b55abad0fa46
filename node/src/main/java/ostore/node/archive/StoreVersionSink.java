package ostore.node.archive;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import ostore.archive.BlockSink;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.VersionRoot;
import ostore.store.ArchivedVersion;
import ostore.store.VersionStore;

/**
 * Writes a restored version into a replica's version store: each verified block is staged as it
 * arrives (so memory holds one block, not the version) and the version itself is installed only on
 * {@link #commit()}, in one atomic write with its journal entry. A restore that fails part way
 * leaves staged blocks that no version names, which nothing reads and a later attempt reuses; no
 * version appears.
 */
final class StoreVersionSink implements BlockSink {
    private final VersionStore store;
    private final int color;
    private final long positionLimit;
    private final VersionStore.CertificateCheck check;
    private VersionRoot root;
    private byte[] certificate;
    private List<BlockListHash.Entry> blocks;
    private boolean installed;

    /**
     * @param positionLimit the color's journal positions stay below it (the ring's first batch position)
     */
    StoreVersionSink(VersionStore store, int color, long positionLimit, VersionStore.CertificateCheck check) {
        this.store = Objects.requireNonNull(store, "store");
        this.check = Objects.requireNonNull(check, "check");
        this.color = color;
        this.positionLimit = positionLimit;
    }

    @Override
    public void begin(VersionRoot root, byte[] certificate) {
        this.root = root;
        this.certificate = certificate.clone();
        this.blocks = new ArrayList<>();
        this.installed = false;
    }

    @Override
    public void accept(long index, Bguid bguid, byte[] bytes) throws IOException {
        Bguid staged = store.stageBlock(bytes);
        if (!staged.equals(bguid) || index != blocks.size()) {
            throw new IOException("block " + index + " of " + root.aguid() + " seq " + root.seq() + " arrived as "
                    + staged + " at list index " + blocks.size() + ", not " + bguid);
        }
        blocks.add(new BlockListHash.Entry(bguid, bytes.length));
    }

    @Override
    public void commit() throws IOException {
        long position = store.appliedPosition(color) + 1;
        if (position >= positionLimit) {
            throw new IOException("color " + color + " already holds " + positionLimit + " archived versions, the most"
                    + " a rebuilt store can take below the ring's first batch position");
        }
        installed = store.installArchived(new ArchivedVersion(root, blocks, certificate), color, position, check);
    }

    @Override
    public void abort() {
        blocks = null;
        installed = false;
    }

    /** Whether the last committed version was new to the store (false: it was there already). */
    boolean installed() {
        return installed;
    }
}
