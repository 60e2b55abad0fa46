package ostore.ring.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.intel.pmem.llpl.TransactionalHeap;
import com.intel.pmem.llpl.TransactionalMemoryBlock;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden layout of the llpl store, format 1, read back through llpl at literal offsets rather than
 * through the store's own constants, so a change to those constants fails here. Block handles are
 * chosen by libpmemobj and are only checked for how they link.
 */
class LlplFormatTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void requireLlpl() {
        LlplRequirement.assumeLlpl();
    }

    private static String hex(TransactionalMemoryBlock block, long offset, int length) {
        byte[] bytes = new byte[length];
        block.copyToArray(offset, bytes, 0, length);
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void rootHeaderSlotsAndBatchBlockArePinned() {
        Path pool = dir.resolve("log.pool");
        LogStoreConfig twoColors = new LogStoreConfig(2, 4096, 16L << 20, 8 * 1024);
        try (LlplLogStore store = LlplLogStore.open(pool, twoColors)) {
            store.append(List.of(new ColorBatch(1, List.of("abc".getBytes(UTF_8), new byte[0]))));
        }
        // llpl hands back the heap this JVM already mapped for the path.
        TransactionalHeap heap = TransactionalHeap.openHeap(pool.toAbsolutePath().toString());
        TransactionalMemoryBlock root = heap.memoryBlockFromHandle(heap.getRoot());
        assertEquals("4f53544c4f47504d" // magic "OSTLOGPM"
                + "01000000" // format, little-endian u32
                + "02000000", // colors
                hex(root, 0, 16));
        assertEquals("00".repeat(32), hex(root, 16, 32), "color 0: no blocks, first 0, next 0");
        long head = root.getLong(48);
        assertNotEquals(0, head);
        assertEquals(head, root.getLong(56), "one batch is both head and tail");
        assertEquals("0000000000000000" + "0200000000000000", hex(root, 64, 16), "color 1: first 0, next 2");

        TransactionalMemoryBlock batch = heap.memoryBlockFromHandle(head);
        assertEquals("0000000000000000" // next block: none
                + "0000000000000000" // first position
                + "02000000" // count
                + "01000000" // color
                + "03000000" + "616263" // length, "abc"
                + "00000000", // length of the empty record
                hex(batch, 0, 35));
    }
}
