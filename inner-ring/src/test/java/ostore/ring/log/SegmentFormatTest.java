package ostore.ring.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden bytes of the segment store, format 1. The expected values were derived from the layout in
 * {@link SegmentFormat}'s documentation with an independent CRC32C (Castagnoli, reflected
 * 0x82F63B78), not by running this code; if one of these fails, the on-media format changed and
 * needs a new format number and a reader for the old one.
 */
class SegmentFormatTest {
    @TempDir
    Path dir;

    private static String hex(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void segmentHeaderIsPinned() {
        assertEquals("4f53544c4f475347" // magic "OSTLOGSG"
                + "0001" // format
                + "0004" // colors
                + "0000000000000007" // sequence
                + "b9d5b0c3", // crc32c of the 20 bytes before
                hex(SegmentFormat.header(4, 7)));
    }

    @Test
    void recordsFrameIsPinned() {
        assertEquals("00000015" // body length
                + "258aa054" // crc32c of the body
                + "02" // type RECORDS
                + "00000001" // count
                + "01" + "0000000000000005" + "00000003" + "616263", // color, position, length, "abc"
                hex(SegmentFormat.recordsFrame(List.of(new LogEntry(1, 5, "abc".getBytes(UTF_8))))));
    }

    @Test
    void stateAndTrimFramesArePinned() {
        assertEquals("00000023" + "8eed603c" + "01" + "0002"
                + "0000000000000001" + "0000000000000003" // color 0: first, next
                + "0000000000000000" + "0000000000000002", // color 1: first, next
                hex(SegmentFormat.stateFrame(new long[] {1, 0}, new long[] {3, 2})));
        assertEquals("0000000a" + "2ee80bd8" + "03" + "02" + "0000000000000009",
                hex(SegmentFormat.trimFrame(2, 9)));
    }

    @Test
    void aFreshSegmentWithOneAppendHoldsExactlyTheseBytes() throws IOException {
        LogStoreConfig oneColor = new LogStoreConfig(1, 4096, 16L << 20, 8 * 1024);
        try (SegmentLogStore store = SegmentLogStore.open(dir, oneColor)) {
            store.append(List.of(new ColorBatch(0, List.of("abc".getBytes(UTF_8)))));
        }
        byte[] file = Files.readAllBytes(dir.resolve("segment-00000000000000000000.log"));
        assertEquals("4f53544c4f475347" + "0001" + "0001" + "0000000000000000" + "47eec053"
                + "00000013" + "534cffe5" + "01" + "0001" + "0000000000000000" + "0000000000000000"
                + "00000015" + "bfa752e0" + "02" + "00000001" + "00" + "0000000000000000" + "00000003" + "616263",
                HexFormat.of().formatHex(file));
    }
}
