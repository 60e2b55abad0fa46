package ostore.client;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import ostore.api.Protos;
import ostore.api.v1.BlockData;
import ostore.api.v1.BlockListChunk;
import ostore.api.v1.ReadResponse;
import ostore.api.v1.VersionSelector;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Certificate;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/**
 * Checks one whole-version read stream, message by message, trusting nothing the server sent: the
 * root must be for the requested object and selector and its VGUID is recomputed; the block list
 * must hash to the root's {@code blocks_root} and sum to its size; each block's bytes must hash to
 * its BGUID before they are passed on. Memory is one block plus the block list, never the object.
 *
 * <p>The stream order is fixed by the protocol: one root, the whole block list in chunks from index
 * 0, then (unless metadata-only) every block in index order. Any deviation, and any mismatch, is an
 * {@link OstoreException} with code {@code DATA_LOSS}. After a failure, whatever was already passed
 * to the output is a prefix of verified blocks.
 */
public final class ReadVerifier {
    private final Aguid aguid;
    private final VersionSelector selector;
    private final Vguid wantedVguid;
    private final boolean metadataOnly;
    private final CertificateCheck certificates;

    private VersionRoot root;
    private Certificate certificate;
    private Vguid vguid;
    private final List<BlockListHash.Entry> blocks = new ArrayList<>();
    private long listedBytes;
    private boolean listVerified;
    private long nextBlock;

    /** {@code selector} as sent in the request; {@code metadataOnly} as in the request. */
    public ReadVerifier(Aguid aguid, VersionSelector selector, boolean metadataOnly) {
        this(aguid, selector, metadataOnly, null);
    }

    /**
     * Also requires the root to carry a ring certificate that {@code certificates} accepts, checked
     * before any block is passed on; null checks no certificate (a node reached by its address alone, with no ring keys to check one against).
     */
    public ReadVerifier(Aguid aguid, VersionSelector selector, boolean metadataOnly, CertificateCheck certificates) {
        this.certificates = certificates;
        this.aguid = Objects.requireNonNull(aguid, "aguid");
        this.selector = Objects.requireNonNull(selector, "selector");
        this.wantedVguid = selector.hasVguid() ? Protos.vguid(selector.getVguid(), "VersionSelector.vguid") : null;
        this.metadataOnly = metadataOnly;
    }

    /** Checks one message; a block's bytes go to {@code out} only once they verified. */
    public void accept(ReadResponse message, OutputStream out) throws IOException {
        switch (message.getKindCase()) {
            case ROOT -> acceptRoot(message.getRoot());
            case BLOCK_LIST -> acceptBlockList(message.getBlockList());
            case BLOCK -> acceptBlock(message.getBlock(), out);
            case KIND_NOT_SET -> throw OstoreException.dataLoss("read stream has a message with no content");
        }
    }

    /** The root, once it has arrived and passed the root checks. */
    public Optional<VersionRoot> root() {
        return Optional.ofNullable(root);
    }

    /** Blocks passed to the output so far: after a failure, a retry elsewhere is safe only at 0. */
    long blocksPassed() {
        return nextBlock;
    }

    /** Call when the stream ended normally: checks nothing is missing and returns the version without data. */
    public VerifiedVersion finish() {
        if (root == null) {
            throw OstoreException.dataLoss("read stream ended without a version root");
        }
        if (!listVerified) {
            throw OstoreException.dataLoss("read stream ended after " + blocks.size() + " of "
                    + root.blockCount() + " block list entries");
        }
        if (!metadataOnly && nextBlock < root.blockCount()) {
            throw OstoreException.dataLoss("read stream ended before block " + nextBlock + " of "
                    + root.blockCount());
        }
        return new VerifiedVersion(root, vguid, blocks, certificate, null);
    }

    private void acceptRoot(ostore.api.v1.VersionRoot proto) {
        if (root != null) {
            throw OstoreException.dataLoss("read stream has a second version root");
        }
        VerifiedRoot received = RootChecks.decode(proto, aguid);
        checkSelector(received.root(), received.vguid());
        if (certificates != null) {
            certificate = certificates.check(proto.getCertificate(), received.root(), received.vguid());
        }
        root = received.root();
        vguid = received.vguid();
        if (root.blockCount() == 0) {
            verifyList();
        }
    }

    private void checkSelector(VersionRoot received, Vguid computed) {
        switch (selector.getKindCase()) {
            case SEQ -> {
                if (received.seq() != selector.getSeq()) {
                    throw OstoreException.dataLoss("asked for seq " + selector.getSeq() + ", got seq " + received.seq());
                }
            }
            case VGUID -> {
                if (!computed.equals(wantedVguid)) {
                    throw OstoreException.dataLoss("asked for VGUID " + wantedVguid + ", the root received hashes to "
                            + computed);
                }
            }
            case AS_OF_MICROS -> {
                if (received.timestampMicros() > selector.getAsOfMicros()) {
                    throw OstoreException.dataLoss("asked for the version as of " + selector.getAsOfMicros()
                            + " us, got one timestamped " + received.timestampMicros() + " us");
                }
            }
            case LATEST, KIND_NOT_SET -> {
                // Whether a version is the latest cannot be checked from one reply, certificate or not:
                // a replica that is behind can return an older certified version.
            }
        }
    }

    private void acceptBlockList(BlockListChunk chunk) {
        if (root == null) {
            throw OstoreException.dataLoss("read stream sent a block list before the version root");
        }
        if (chunk.getFirstIndex() != blocks.size()) {
            throw OstoreException.dataLoss("block list chunk starts at index "
                    + Long.toUnsignedString(chunk.getFirstIndex()) + ", expected " + blocks.size());
        }
        for (int i = 0; i < chunk.getBlocksCount(); i++) {
            if (blocks.size() >= root.blockCount()) {
                throw OstoreException.dataLoss("block list has more than the root's " + root.blockCount() + " blocks");
            }
            BlockListHash.Entry entry;
            try {
                entry = Protos.blockRef(chunk.getBlocks(i), "BlockListChunk.blocks[" + i + "]");
            } catch (IllegalArgumentException e) {
                throw OstoreException.dataLoss("malformed block list: " + e.getMessage(), e);
            }
            blocks.add(entry);
            listedBytes += entry.length();
        }
        if (blocks.size() == root.blockCount()) {
            verifyList();
        }
    }

    private void verifyList() {
        if (listedBytes != root.size()) {
            throw OstoreException.dataLoss("block lengths sum to " + listedBytes + " bytes, the root says "
                    + root.size());
        }
        if (!BlockListHash.root(blocks).equals(root.blocksRoot())) {
            throw OstoreException.dataLoss("block list of " + blocks.size() + " blocks does not hash to blocks_root "
                    + root.blocksRoot());
        }
        listVerified = true;
    }

    private void acceptBlock(BlockData block, OutputStream out) throws IOException {
        if (metadataOnly) {
            throw OstoreException.dataLoss("metadata-only read stream sent block data");
        }
        if (!listVerified) {
            throw OstoreException.dataLoss("read stream sent block data before the whole block list");
        }
        if (nextBlock == root.blockCount()) {
            throw OstoreException.dataLoss("read stream sent block " + Long.toUnsignedString(block.getIndex())
                    + " after all " + root.blockCount() + " blocks");
        }
        if (block.getIndex() != nextBlock) {
            throw OstoreException.dataLoss("read stream sent block " + Long.toUnsignedString(block.getIndex())
                    + ", expected block " + nextBlock);
        }
        BlockListHash.Entry expected = blocks.get((int) nextBlock);
        byte[] data = block.getData().toByteArray();
        if (data.length != expected.length()) {
            throw OstoreException.dataLoss("block " + nextBlock + " has " + data.length + " bytes, the list says "
                    + expected.length());
        }
        Bguid actual = Bguid.ofBlock(data);
        if (!actual.equals(expected.bguid())) {
            throw OstoreException.dataLoss("block " + nextBlock + " hashes to " + actual + ", the list says "
                    + expected.bguid());
        }
        out.write(data);
        nextBlock++;
    }
}
