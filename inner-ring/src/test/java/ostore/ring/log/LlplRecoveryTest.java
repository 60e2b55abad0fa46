package ostore.ring.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.intel.pmem.llpl.PersistentHeap;
import com.intel.pmem.llpl.PersistentMemoryBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery of the llpl store from media it did not write cleanly: a torn last frame is cut, a bad
 * frame that later extents follow is refused, and trims free whole extents so a pool is reused.
 * Damage is made through llpl on the pool the store just closed; reopening in this JVM reuses the
 * mapping but rebuilds every bit of state from media.
 */
class LlplRecoveryTest {
    /** Extents of 64 KiB, so a few records fill one. */
    static final LogStoreConfig CONFIG = new LogStoreConfig(2, 64 * 1024, 16L << 20, 64 * 1024);

    @TempDir
    Path dir;

    @BeforeAll
    static void requireLlpl() {
        LlplRequirement.assumeLlpl();
    }

    private Path pool() {
        return dir.resolve("log.pool");
    }

    private LlplLogStore open() {
        return LlplLogStore.open(pool(), CONFIG);
    }

    private static List<String> strings(List<LogEntry> entries) {
        return entries.stream().map(e -> new String(e.payload(), UTF_8)).toList();
    }

    /** The extents of the chain, head first, read at literal offsets as in {@link LlplFormatTest}. */
    private List<PersistentMemoryBlock> extents() {
        PersistentHeap heap = PersistentHeap.openHeap(pool().toAbsolutePath().toString());
        List<PersistentMemoryBlock> out = new ArrayList<>();
        for (long h = heap.memoryBlockFromHandle(heap.getRoot()).getLong(16); h != 0; ) {
            PersistentMemoryBlock extent = heap.memoryBlockFromHandle(h);
            out.add(extent);
            h = extent.getLong(0);
        }
        return out;
    }

    /** Offsets of the frames in an extent, found by their length words up to the end marker. */
    private static List<Long> frames(PersistentMemoryBlock extent) {
        List<Long> out = new ArrayList<>();
        for (long at = 24; extent.getInt(at) != 0; at += (8 + extent.getInt(at) + 7) & ~7L) {
            out.add(at);
        }
        return out;
    }

    /** Flips one byte of the frame's last body byte, as a write cut short by a crash may leave it. */
    private static void damageFrame(PersistentMemoryBlock extent, long frame) {
        long last = frame + 8 + extent.getInt(frame) - 1;
        extent.setByte(last, (byte) ~extent.getByte(last));
    }

    @Test
    void tornLastFrameIsDroppedWholeAndAppendsGoOnWhereItStood() {
        try (LlplLogStore store = open()) {
            store.append(List.of(new ColorBatch(0, List.of("a".getBytes(UTF_8)))));
            store.append(List.of(new ColorBatch(0, List.of("b".getBytes(UTF_8))),
                    new ColorBatch(1, List.of("x".getBytes(UTF_8)))));
        }
        PersistentMemoryBlock extent = extents().getLast();
        damageFrame(extent, frames(extent).getLast());
        try (LlplLogStore store = open()) {
            assertEquals(1, store.nextPosition(0), "the torn call is gone from color 0");
            assertEquals(0, store.nextPosition(1), "and from color 1, which shared its frame");
            assertEquals(List.of("a"), strings(store.read(0, 0, 10)));
            assertEquals(1, store.append(List.of(new ColorBatch(0, List.of("c".getBytes(UTF_8)))))[0]);
        }
        try (LlplLogStore store = open()) {
            assertEquals(List.of("a", "c"), strings(store.read(0, 0, 10)), "the new frame replaced the torn one");
            assertEquals(0, store.nextPosition(1));
        }
    }

    @Test
    void tornFrameLeftBehindWhenTheNextAppendOpensAnExtentIsNoDamage() {
        try (LlplLogStore store = open()) {
            store.append(List.of(new ColorBatch(0, List.of("a".getBytes(UTF_8)))));
            store.append(List.of(new ColorBatch(0, List.of(new byte[40 * 1024]))));
            store.append(List.of(new ColorBatch(0, List.of(new byte[10 * 1024]))));
        }
        PersistentMemoryBlock extent = extents().getLast();
        damageFrame(extent, frames(extent).getLast());
        byte[] big = new byte[30 * 1024];
        Arrays.fill(big, (byte) 7);
        try (LlplLogStore store = open()) {
            assertEquals(2, store.append(List.of(new ColorBatch(0, List.of(big))))[0]);
        }
        assertEquals(2, extents().size(), "30 KiB did not fit behind the torn frame, so a new extent took it");
        try (LlplLogStore store = open()) {
            List<LogEntry> all = store.read(0, 0, 10);
            assertEquals(3, all.size());
            assertArrayEquals("a".getBytes(UTF_8), all.get(0).payload());
            assertArrayEquals(big, all.get(2).payload());
        }
    }

    /** In the last extent too, a bad frame with a valid one after it is damage, not the torn append. */
    @Test
    void badFrameThatAValidFrameOfTheLastExtentFollowsIsRefused() {
        try (LlplLogStore store = open()) {
            for (String s : List.of("a", "b", "c")) {
                store.append(List.of(new ColorBatch(0, List.of(s.getBytes(UTF_8)))));
            }
        }
        PersistentMemoryBlock extent = extents().getLast();
        List<Long> frames = frames(extent);
        damageFrame(extent, frames.get(1));
        IllegalStateException e = assertThrows(IllegalStateException.class, this::open);
        assertTrue(e.getMessage().contains("is damaged: extent 1 has a bad frame at offset " + frames.get(1)
                + " but a valid frame follows at offset " + frames.get(2)), e.getMessage());
    }

    @Test
    void badFrameThatLaterExtentsFollowIsRefused() {
        try (LlplLogStore store = open()) {
            for (int i = 0; i < 3; i++) {
                store.append(List.of(new ColorBatch(0, List.of(new byte[40 * 1024]))));
            }
        }
        List<PersistentMemoryBlock> chain = extents();
        assertEquals(3, chain.size(), "each 40 KiB record needed an extent of its own");
        assertEquals(List.of(1L, 2L, 3L), chain.stream().map(e -> e.getLong(8)).toList(), "sequences count up");
        damageFrame(chain.getFirst(), frames(chain.getFirst()).getFirst());
        IllegalStateException e = assertThrows(IllegalStateException.class, this::open);
        assertTrue(e.getMessage().contains("is damaged: extent 1 has a bad frame at offset 24"), e.getMessage());
    }

    @Test
    void trimsFreeWholeExtentsSoThePoolIsWrittenManyTimesOver() {
        int recordBytes = 30 * 1024;
        long rounds = 4 * CONFIG.poolBytes() / recordBytes;
        int keep = 8;
        try (LlplLogStore store = open()) {
            for (long i = 0; i < rounds; i++) {
                int color = (int) (i % 2);
                long at = store.nextPosition(color);
                store.append(List.of(new ColorBatch(color, List.of(record(color, at, recordBytes)))));
                if (at >= keep && at % 4 == 0) {
                    store.trim(color, at - keep);
                }
            }
            assertTrue(extents().size() <= 2 * keep, "trimmed extents were freed: " + extents().size() + " remain");
        }
        try (LlplLogStore store = open()) {
            for (int color = 0; color < 2; color++) {
                long first = store.firstPosition(color);
                assertEquals(rounds / 2, store.nextPosition(color));
                assertTrue(store.nextPosition(color) - first <= keep + 4, "color " + color + " holds from " + first);
                for (LogEntry e : store.read(color, first, 100)) {
                    assertArrayEquals(record(color, e.position(), recordBytes), e.payload(),
                            "color " + color + " position " + e.position());
                }
            }
        }
    }

    private static byte[] record(int color, long position, int bytes) {
        byte[] r = new byte[bytes];
        Arrays.fill(r, (byte) (31 * color + position));
        return r;
    }
}
