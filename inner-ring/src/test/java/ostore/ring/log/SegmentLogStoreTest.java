package ostore.ring.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SegmentLogStoreTest extends LogStoreContractTest {
    @Override
    LogStore openStore(Path dir, LogStoreConfig config) {
        return SegmentLogStore.open(dir, config);
    }

    @Override
    String expectedKind() {
        return "segment";
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private void threeAppendsThenClose() {
        log.append(0, List.of(bytes("first")));
        log.append(0, List.of(bytes("second")));
        log.append(0, List.of(bytes("third, the torn one")));
        log.close();
    }

    private void reopenAndExpectTwoSurvivors() {
        log = LocalSharedLog.over(openStore(dir, CONFIG));
        assertEquals(2, log.nextPosition(0));
        assertEquals(List.of("first", "second"), payloads(log.read(0, 0, 10)));
        assertEquals(2, log.append(0, List.of(bytes("after recovery"))), "appends continue after the cut");
        assertEquals(List.of("first", "second", "after recovery"), payloads(log.read(0, 0, 10)));
    }

    @Test
    void truncatedTailIsCutAndEarlierRecordsSurvive() throws IOException {
        threeAppendsThenClose();
        Path last = segments().getLast();
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 5);
        }
        reopenAndExpectTwoSurvivors();
    }

    @Test
    void flippedByteInTheLastRecordIsCut() throws IOException {
        threeAppendsThenClose();
        Path last = segments().getLast();
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, ch.size() - 3);
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 0x20)}), ch.size() - 3);
        }
        reopenAndExpectTwoSurvivors();
    }

    /** Damage with a valid frame after it is no torn write: dropping the frame after it would lose an acknowledged record. */
    @Test
    void aBadFrameThatAValidFrameFollowsFailsToOpen() throws IOException {
        threeAppendsThenClose();
        Path last = segments().getLast();
        long second;
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long first = frameAfterState(ch);
            second = first + SegmentFormat.FRAME_HEADER_BYTES + frameLength(ch, first);
            long payload = second + SegmentFormat.FRAME_HEADER_BYTES + 1 + 4 + SegmentFormat.RECORD_HEADER_BYTES;
            ch.write(ByteBuffer.wrap(new byte[] {'S'}), payload);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> openStore(dir, CONFIG));
        assertTrue(e.getMessage().contains("is corrupt at offset " + second + ": the frame there fails its length or"
                + " CRC but a valid frame follows at offset "), e.getMessage());
        log = LocalSharedLog.over(openStore(dir.resolve("fresh"), CONFIG));
    }

    /** Where the first frame after the header and the state frame starts. */
    private static long frameAfterState(FileChannel ch) throws IOException {
        return SegmentFormat.HEADER_BYTES + SegmentFormat.FRAME_HEADER_BYTES
                + frameLength(ch, SegmentFormat.HEADER_BYTES);
    }

    private static int frameLength(FileChannel ch, long at) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4);
        ch.read(b, at);
        return b.getInt(0);
    }

    /** Segment names reach the disk: a locale with other digits must neither name them nor hide them. */
    @Test
    void aStoreMadeUnderALocaleWithOtherDigitsReopens() throws IOException {
        log.close();
        Path other = dir.resolve("arabic");
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.of("ar", "SA"));
            try (LocalSharedLog l = LocalSharedLog.over(openStore(other, CONFIG))) {
                l.append(0, List.of(bytes("first")));
            }
            try (LocalSharedLog l = LocalSharedLog.over(openStore(other, CONFIG))) {
                assertEquals(List.of("first"), payloads(l.read(0, 0, 10)));
            }
        } finally {
            Locale.setDefault(saved);
        }
        try (Stream<Path> s = Files.list(other)) {
            assertEquals(List.of("segment-00000000000000000000.log"),
                    s.map(p -> p.getFileName().toString()).toList());
        }
        log = LocalSharedLog.over(openStore(dir.resolve("fresh"), CONFIG));
    }

    @Test
    void corruptionBeforeTheLastSegmentFailsToOpen() throws IOException {
        for (int i = 0; i < 40; i++) {
            log.append(0, List.of(new byte[1000]));
        }
        log.close();
        List<Path> files = segments();
        assertTrue(files.size() > 2, "8 KiB segments roll: " + files);
        try (FileChannel ch = FileChannel.open(files.getFirst(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), SegmentFormat.HEADER_BYTES + 600);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> openStore(dir, CONFIG));
        assertTrue(e.getMessage().contains("is not the last segment"), e.getMessage());
        log = LocalSharedLog.over(openStore(dir.resolve("fresh"), CONFIG));
    }

    @Test
    void trimDeletesSegmentsThatHoldOnlyTrimmedRecords() throws IOException {
        for (int i = 0; i < 40; i++) {
            log.append(i % 2, List.of(new byte[1000]));
        }
        int before = segments().size();
        log.trim(0, 20);
        assertEquals(before, segments().size(), "color 1 still needs every segment");
        log.trim(1, 20);
        assertEquals(1, segments().size(), "only the active segment stays");
        reopen();
        assertEquals(20, log.firstPosition(0));
        assertEquals(20, log.nextPosition(1));
        assertEquals(20, log.append(1, List.of(new byte[1])));
    }

    @Test
    void segmentOfAnotherFormatIsRefused() throws IOException {
        log.close();
        Path first = segments().getFirst();
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(2).putShort(0, (short) 9), 8);
        }
        assertThrows(IllegalStateException.class, () -> openStore(dir, CONFIG));
        log = LocalSharedLog.over(openStore(dir.resolve("fresh"), CONFIG));
    }
}
