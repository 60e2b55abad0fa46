package ostore.ring.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.intel.pmem.llpl.PersistentHeap;
import com.intel.pmem.llpl.PersistentMemoryBlock;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden layout of the llpl store, format 2, read back through llpl at literal offsets rather than
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

    private static String hex(PersistentMemoryBlock block, long offset, int length) {
        byte[] bytes = new byte[length];
        block.copyToArray(offset, bytes, 0, length);
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void rootHeaderExtentAndFrameArePinned() {
        Path pool = dir.resolve("log.pool");
        LogStoreConfig twoColors = new LogStoreConfig(2, 4096, 16L << 20, 8 * 1024);
        try (LlplLogStore store = LlplLogStore.open(pool, twoColors)) {
            store.append(List.of(new ColorBatch(1, List.of("abc".getBytes(UTF_8), new byte[0]))));
            store.trim(1, 1);
        }
        // llpl hands back the heap this JVM already mapped for the path.
        PersistentHeap heap = PersistentHeap.openHeap(pool.toAbsolutePath().toString());
        PersistentMemoryBlock root = heap.memoryBlockFromHandle(heap.getRoot());
        assertEquals("4f53544c4f47504d" // magic "OSTLOGPM"
                + "02000000" // format, little-endian u32
                + "02000000", // colors
                hex(root, 0, 16));
        long head = root.getLong(16);
        assertNotEquals(0, head, "the first append linked an extent");
        assertEquals("0000000000000000" // color 0: trim point 0
                + "0100000000000000", // color 1: trimmed to 1
                hex(root, 24, 16));

        PersistentMemoryBlock extent = heap.memoryBlockFromHandle(head);
        assertEquals("0000000000000000" // next extent: none
                + "0100000000000000" // sequence 1
                + "0020000000000000", // capacity: segmentBytes, 8 KiB
                hex(extent, 0, 24));
        assertEquals("1f000000" // body length 31
                + "dfedee6d" // crc32c of the sequence as a u64, then the body
                + "01000000" // one batch
                + "01000000" // color 1
                + "0000000000000000" // first position 0
                + "02000000" // two records
                + "03000000" + "616263" // length, "abc"
                + "00000000" // length of the empty record
                + "00" // padding to a multiple of 8
                + "0000000000000000", // end marker
                hex(extent, 24, 48));
    }
}
