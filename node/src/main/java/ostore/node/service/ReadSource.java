package ostore.node.service;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.util.List;
import ostore.api.Protos;
import ostore.api.v1.BlockData;
import ostore.api.v1.BlockListChunk;
import ostore.api.v1.ReadRequest;
import ostore.api.v1.ReadResponse;
import ostore.api.v1.VersionSelector;
import ostore.crypto.Aguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Vguid;
import ostore.node.Micros;
import ostore.node.wire.WireFields;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;

/**
 * The messages of one read, produced lazily: the root, the whole block list in chunks (the client
 * needs all of it to check {@code blocks_root}), then the requested blocks one per message. Only
 * the block being sent is in memory.
 */
final class ReadSource implements OutboundPump.Source<ReadResponse> {
    /** Block refs per list message: about 160 KB, far below gRPC's default 4 MiB frame limit. */
    static final int REFS_PER_CHUNK = 4096;

    private final VersionStore store;
    private final StoredVersion version;
    private final long endBlock;
    private boolean rootSent;
    private int listed;
    private long nextBlock;

    private ReadSource(VersionStore store, StoredVersion version, long firstBlock, long endBlock) {
        this.store = store;
        this.version = version;
        this.nextBlock = firstBlock;
        this.endBlock = endBlock;
    }

    /** Resolves the request up front, so a bad one fails before anything is sent. */
    static ReadSource open(VersionStore store, ReadRequest request) {
        Aguid aguid = new Aguid(WireFields.hash32(request.getAguid(), "aguid"));
        StoredVersion version = store.read(aguid, selector(request.getSelector()))
                .orElseThrow(() -> notFound(store, aguid, request.getSelector()));
        long blockCount = version.blocks().size();
        long first = WireFields.nonNegative(request.getFirstBlock(), "first_block");
        if (first > blockCount) {
            throw Statuses.status(Status.Code.INVALID_ARGUMENT, "first_block: " + first
                    + " is past the end of version " + version.root().seq() + " (" + blockCount + " blocks)");
        }
        long count = request.getBlockCount();
        if (Long.compareUnsigned(count, blockCount - first) > 0) {
            throw Statuses.status(Status.Code.INVALID_ARGUMENT, "block_count: " + Long.toUnsignedString(count)
                    + " blocks from first_block " + first + " run past the end of version "
                    + version.root().seq() + " (" + blockCount + " blocks)");
        }
        long end = request.getMetadataOnly() ? first : count == 0 ? blockCount : first + count;
        return new ReadSource(store, version, first, end);
    }

    ostore.crypto.Aguid aguid() {
        return version.root().aguid();
    }

    long seq() {
        return version.root().seq();
    }

    @Override
    public ReadResponse next() {
        if (!rootSent) {
            rootSent = true;
            return ReadResponse.newBuilder().setRoot(Replies.certifiedRoot(store, version)).build();
        }
        List<BlockListHash.Entry> blocks = version.blocks();
        if (listed < blocks.size()) {
            return ReadResponse.newBuilder().setBlockList(nextChunk(blocks)).build();
        }
        if (nextBlock < endBlock) {
            return ReadResponse.newBuilder().setBlock(nextBlockData(blocks)).build();
        }
        return null;
    }

    private BlockListChunk nextChunk(List<BlockListHash.Entry> blocks) {
        int end = Math.min(blocks.size(), listed + REFS_PER_CHUNK);
        BlockListChunk.Builder chunk = BlockListChunk.newBuilder().setFirstIndex(listed);
        for (int i = listed; i < end; i++) {
            chunk.addBlocks(Protos.toProto(blocks.get(i)));
        }
        listed = end;
        return chunk.build();
    }

    private BlockData nextBlockData(List<BlockListHash.Entry> blocks) {
        BlockListHash.Entry ref = blocks.get(Math.toIntExact(nextBlock));
        byte[] data = store.block(ref.bguid()).orElseThrow(() -> new IllegalStateException(
                "block " + nextBlock + " (" + ref.bguid() + ") of version " + version.vguid() + " is missing"));
        assert data.length == ref.length() : "a stored block has the length its ref records";
        BlockData block = BlockData.newBuilder().setIndex(nextBlock).setData(ByteString.copyFrom(data)).build();
        nextBlock++;
        return block;
    }

    private static Selector selector(VersionSelector proto) {
        return switch (proto.getKindCase()) {
            case LATEST, KIND_NOT_SET -> new Selector.Latest();
            case SEQ -> new Selector.BySeq(WireFields.nonNegative(proto.getSeq(), "selector.seq"));
            case VGUID -> new Selector.ByVguid(new Vguid(WireFields.hash32(proto.getVguid(), "selector.vguid")));
            case AS_OF_MICROS -> new Selector.AsOf(proto.getAsOfMicros());
        };
    }

    private static RuntimeException notFound(VersionStore store, Aguid aguid, VersionSelector proto) {
        if (store.read(aguid, new Selector.Latest()).isEmpty()) {
            return Statuses.status(Status.Code.NOT_FOUND, "aguid: no object " + aguid.toHex());
        }
        String which = switch (proto.getKindCase()) {
            case LATEST, KIND_NOT_SET -> "selector.latest: none";
            case SEQ -> "selector.seq: no version " + Long.toUnsignedString(proto.getSeq());
            case VGUID -> "selector.vguid: no version " + Protos.vguid(proto.getVguid(), "selector.vguid").toHex();
            case AS_OF_MICROS -> "selector.as_of_micros: no version at or before "
                    + Micros.toInstant(proto.getAsOfMicros());
        };
        return Statuses.status(Status.Code.NOT_FOUND, which + " of object " + aguid.toHex());
    }
}
