package ostore.client;

import static ostore.client.Fixtures.AGUID;
import static ostore.client.Fixtures.assertFails;
import static ostore.client.Fixtures.blocks;
import static ostore.client.Fixtures.entries;
import static ostore.client.Fixtures.firstRoot;
import static ostore.client.Fixtures.stream;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import ostore.api.Protos;
import ostore.api.v1.BlockData;
import ostore.api.v1.ReadResponse;
import ostore.api.v1.VersionSelector;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.VersionRoot;

class ReadVerifierTest {
    private static final Status.Code DATA_LOSS = Status.Code.DATA_LOSS;
    private final List<byte[]> blocks = blocks(5, 3, 8, 1, 4);
    private final VersionRoot root = firstRoot(blocks);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private VerifiedVersion run(VersionSelector selector, boolean metadataOnly, List<ReadResponse> messages)
            throws IOException {
        ReadVerifier v = new ReadVerifier(AGUID, selector, metadataOnly);
        for (ReadResponse m : messages) {
            v.accept(m, out);
        }
        return v.finish();
    }

    private VerifiedVersion run(List<ReadResponse> messages) throws IOException {
        return run(Selectors.latest(), false, messages);
    }

    private static List<ReadResponse> replace(List<ReadResponse> messages, int i, ReadResponse with) {
        List<ReadResponse> copy = new ArrayList<>(messages);
        copy.set(i, with);
        return copy;
    }

    private static ReadResponse block(long index, byte[] data) {
        return ReadResponse.newBuilder().setBlock(BlockData.newBuilder().setIndex(index).setData(ByteString.copyFrom(data))).build();
    }

    @Test
    void acceptsAnHonestStreamWhateverTheChunking() throws IOException {
        for (int chunk : new int[] {1, 2, 5, 100}) {
            out.reset();
            VerifiedVersion v = run(stream(root, blocks, chunk));
            assertEquals(root, v.root());
            assertEquals(root.vguid(), v.vguid());
            assertEquals(entries(blocks), v.blocks());
            assertNull(v.data());
            assertArrayEquals(Fixtures.concat(blocks), out.toByteArray());
        }
    }

    @Test
    void acceptsEverySelectorThatTheRootSatisfies() throws IOException {
        List<ReadResponse> honest = stream(root, blocks, 2);
        for (VersionSelector s : List.of(Selectors.seq(1), Selectors.vguid(root.vguid()),
                VersionSelector.newBuilder().setAsOfMicros(root.timestampMicros()).build(), VersionSelector.getDefaultInstance())) {
            out.reset();
            assertEquals(root.vguid(), run(s, false, honest).vguid());
        }
    }

    @Test
    void acceptsAnEmptyVersion() throws IOException {
        VersionRoot empty = firstRoot(List.of());
        VerifiedVersion v = run(stream(empty, List.of(), 4));
        assertEquals(List.of(), v.blocks());
        assertEquals(0, out.size());
    }

    @Test
    void metadataOnlyReadsStopAfterTheList() throws IOException {
        List<ReadResponse> full = stream(root, blocks, 2);
        VerifiedVersion v = run(Selectors.latest(), true, full.subList(0, 4));
        assertEquals(entries(blocks), v.blocks());
        assertFails(DATA_LOSS, "metadata-only read stream sent block data", () -> run(Selectors.latest(), true, full));
    }

    @Test
    void rejectsAFlippedDataByteBeforeWritingIt() {
        byte[] bad = blocks.get(2).clone();
        bad[3] ^= 0x40;
        List<ReadResponse> s = stream(root, blocks, 2);
        int firstBlock = s.size() - blocks.size();
        assertFails(DATA_LOSS, "block 2 hashes to", () -> run(replace(s, firstBlock + 2, block(2, bad))));
        assertArrayEquals(Fixtures.concat(blocks.subList(0, 2)), out.toByteArray(), "only verified blocks are written");
    }

    @Test
    void rejectsSwappedBlocks() {
        List<ReadResponse> s = stream(root, blocks, 2);
        int firstBlock = s.size() - blocks.size();
        // Same index, other block's bytes: caught by length or BGUID.
        List<ReadResponse> swappedData = replace(replace(s, firstBlock, block(0, blocks.get(4))), firstBlock + 4, block(4, blocks.get(0)));
        assertFails(DATA_LOSS, "block 0 has 4 bytes, the list says 5", () -> run(swappedData));
        // Both messages moved: caught by order.
        List<ReadResponse> swappedOrder = replace(replace(s, firstBlock, s.get(firstBlock + 1)), firstBlock + 1, s.get(firstBlock));
        assertFails(DATA_LOSS, "sent block 1, expected block 0", () -> run(swappedOrder));
    }

    @Test
    void rejectsABlockOfTheRightLengthButWrongBytes() {
        List<byte[]> same = blocks(4, 4);
        VersionRoot r = firstRoot(same);
        List<ReadResponse> s = stream(r, same, 2);
        List<ReadResponse> swapped = replace(s, 2, block(0, same.get(1)));
        assertFails(DATA_LOSS, "block 0 hashes to", () -> run(swapped));
    }

    @Test
    void rejectsARootFieldThatDoesNotMatchItsVguid() {
        ostore.api.v1.VersionRoot tampered = Protos.toProto(root).toBuilder().setTimestampMicros(root.timestampMicros() + 1).build();
        assertFails(DATA_LOSS, "the server's vguid field says",
                () -> run(stream(tampered, entries(blocks), blocks, 2)));
    }

    @Test
    void rejectsALiedSizeEvenWhenTheVguidFieldIsRecomputed() {
        VersionRoot lie = new VersionRoot(AGUID, 1, Optional.empty(), root.size() + 1, root.blockCount(),
                root.blocksRoot(), root.timestampMicros(), root.acl(), root.updateDigest());
        assertFails(DATA_LOSS, "block lengths sum to 21 bytes, the root says 22", () -> run(stream(lie, blocks, 2)));
    }

    @Test
    void rejectsABlockListNotMatchingBlocksRoot() {
        List<byte[]> other = new ArrayList<>(blocks);
        other.set(1, new byte[] {9, 9, 9});
        // A consistent list and data that is simply not the version the root names.
        assertFails(DATA_LOSS, "does not hash to blocks_root",
                () -> run(stream(Protos.toProto(root), entries(other), other, 2)));
        // Entries reordered: same multiset, different positions.
        List<BlockListHash.Entry> reordered = new ArrayList<>(entries(blocks));
        reordered.set(0, entries(blocks).get(1));
        reordered.set(1, entries(blocks).get(0));
        assertFails(DATA_LOSS, "does not hash to blocks_root",
                () -> run(stream(Protos.toProto(root), reordered, blocks, 2)));
    }

    @Test
    void rejectsMissingPieces() {
        List<ReadResponse> s = stream(root, blocks, 2);
        assertFails(DATA_LOSS, "ended before block 4 of 5", () -> run(s.subList(0, s.size() - 1)));
        List<ReadResponse> skipped = new ArrayList<>(s);
        skipped.remove(s.size() - 3);
        assertFails(DATA_LOSS, "sent block 3, expected block 2", () -> run(skipped));
        assertFails(DATA_LOSS, "ended after 4 of 5 block list entries", () -> run(s.subList(0, 3)));
        assertFails(DATA_LOSS, "ended without a version root", () -> run(List.of()));
    }

    @Test
    void rejectsAWrongVersionForTheSelector() {
        VersionRoot other = firstRoot(blocks(2));
        assertFails(DATA_LOSS, "asked for VGUID " + other.vguid(),
                () -> run(Selectors.vguid(other.vguid()), false, stream(root, blocks, 2)));
        assertFails(DATA_LOSS, "asked for seq 2, got seq 1", () -> run(Selectors.seq(2), false, stream(root, blocks, 2)));
        VersionSelector before = VersionSelector.newBuilder().setAsOfMicros(root.timestampMicros() - 1).build();
        assertFails(DATA_LOSS, "got one timestamped", () -> run(before, false, stream(root, blocks, 2)));
    }

    @Test
    void rejectsARootOfAnotherObject() {
        Aguid elsewhere = Aguid.of(Fixtures.OTHER.publicKey(), "notes.txt");
        VersionRoot foreign = new VersionRoot(elsewhere, 1, Optional.empty(), root.size(), root.blockCount(),
                root.blocksRoot(), root.timestampMicros(), root.acl(), root.updateDigest());
        assertFails(DATA_LOSS, "version root is for object " + elsewhere, () -> run(stream(foreign, blocks, 2)));
    }

    @Test
    void rejectsStreamsOutOfProtocolOrder() {
        List<ReadResponse> s = stream(root, blocks, 2);
        assertFails(DATA_LOSS, "block list before the version root", () -> run(s.subList(1, s.size())));
        assertFails(DATA_LOSS, "second version root", () -> run(List.of(s.get(0), s.get(0))));
        assertFails(DATA_LOSS, "block data before the whole block list", () -> run(List.of(s.get(0), s.get(1), s.getLast())));
        assertFails(DATA_LOSS, "chunk starts at index 4, expected 2", () -> run(List.of(s.get(0), s.get(1), s.get(3))));
        List<ReadResponse> extra = new ArrayList<>(s);
        extra.add(block(5, new byte[] {1}));
        assertFails(DATA_LOSS, "sent block 5 after all 5 blocks", () -> run(extra));
        List<ReadResponse> longList = new ArrayList<>(stream(Protos.toProto(root), entries(blocks(5, 3, 8, 1, 4, 2)), List.of(), 2));
        assertFails(DATA_LOSS, "more than the root's 5 blocks", () -> run(longList));
        assertFails(DATA_LOSS, "no content", () -> run(List.of(s.get(0), ReadResponse.getDefaultInstance())));
    }

    @Test
    void rejectsAMalformedBlockRef() {
        List<ReadResponse> s = stream(root, blocks, 5);
        ReadResponse bad = s.get(1).toBuilder().setBlockList(s.get(1).getBlockList().toBuilder()
                .setBlocks(3, Protos.toProto(new BlockListHash.Entry(Bguid.ofBlock(new byte[0]), 0)).toBuilder()
                        .setBguid(ByteString.copyFrom(new byte[7])))).build();
        assertFails(DATA_LOSS, "malformed block list: BlockListChunk.blocks[3].bguid length (7)", () -> run(replace(s, 1, bad)));
    }
}
