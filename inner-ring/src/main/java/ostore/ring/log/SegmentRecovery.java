package ostore.ring.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import ostore.ring.log.SegmentLogStore.RecordLocation;
import ostore.ring.log.SegmentLogStore.Segment;

/**
 * Rebuilds the segment store's state by reading every surviving segment in order. Only the last
 * segment may end in a torn frame (a crash during an append that was never acknowledged): it is cut
 * off. A bad frame is torn only if no valid frame follows it, since nothing is ever written after
 * the append in flight; with a valid frame after it, it is damage to acknowledged records, as is a
 * bad frame in any earlier segment or positions that do not follow on densely, and opening fails
 * rather than silently drop what follows or serve a log with a hole.
 *
 * <p>The search for a later frame tries every offset after the bad one, since a damaged length
 * word cannot be trusted to say where the next frame starts. Frames carry no marker of their own,
 * so a payload that holds a copy of a well-formed frame, torn mid-write, also stops the open: a
 * false alarm that an operator resolves, never a silent loss.
 */
final class SegmentRecovery {
    private static final System.Logger LOG = System.getLogger(SegmentRecovery.class.getName());

    record Result(
            ConcurrentSkipListMap<Long, Segment> segments,
            List<ConcurrentSkipListMap<Long, RecordLocation>> index,
            long[] first,
            long[] next) {}

    private final Path dir;
    private final int colors;
    private final Result result;
    private boolean haveState;

    private SegmentRecovery(Path dir, int colors) {
        this.dir = dir;
        this.colors = colors;
        List<ConcurrentSkipListMap<Long, RecordLocation>> index = new ArrayList<>(colors);
        for (int c = 0; c < colors; c++) {
            index.add(new ConcurrentSkipListMap<>());
        }
        this.result = new Result(new ConcurrentSkipListMap<>(), index, new long[colors], new long[colors]);
    }

    static Result recover(Path dir, LogStoreConfig config) throws IOException {
        SegmentRecovery r = new SegmentRecovery(dir, config.colors());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("segment-\\d{20}\\.log")).sorted().toList();
        }
        for (int i = 0; i < files.size(); i++) {
            r.recoverSegment(files.get(i), i == files.size() - 1);
        }
        return r.result;
    }

    private void recoverSegment(Path path, boolean last) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long sequence = readHeader(ch, path, last);
            if (sequence < 0) {
                discard(ch, path);
                return;
            }
            Segment segment = new Segment(sequence, path, ch, colors);
            long end = scan(segment, last);
            if (end < 0) {
                discard(ch, path);
                return;
            }
            segment.size = end;
            result.segments().put(sequence, segment);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** @return the segment's sequence, or -1 if it is the last one and its creation was torn */
    private long readHeader(FileChannel ch, Path path, boolean last) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(SegmentFormat.HEADER_BYTES);
        readFully(ch, h, 0);
        try {
            long sequence = SegmentFormat.checkHeader(h.flip(), colors, path.toString());
            if (!path.equals(Segment.pathOf(dir, sequence))) {
                throw new IllegalStateException(path + " names segment " + sequence + " in its header");
            }
            return sequence;
        } catch (IllegalStateException e) {
            if (last && ch.size() < SegmentFormat.HEADER_BYTES) {
                return -1;
            }
            throw e;
        }
    }

    /** Reads every frame; @return where the valid frames end, or -1 if the segment has no state frame */
    private long scan(Segment segment, boolean last) throws IOException {
        long at = SegmentFormat.HEADER_BYTES;
        long size = segment.channel.size();
        boolean sawState = false;
        while (at < size) {
            ByteBuffer body = readFrame(segment.channel, at, size);
            if (body == null) {
                if (last) {
                    refuseIfAFrameFollows(segment, at, size);
                }
                return cutTornTail(segment, at, size, last, sawState);
            }
            if (!sawState) {
                expectState(body, segment.path);
                sawState = true;
                segment.dataStart = at + SegmentFormat.FRAME_HEADER_BYTES + body.capacity();
            } else {
                apply(body, segment, at);
            }
            at += SegmentFormat.FRAME_HEADER_BYTES + body.capacity();
        }
        if (!sawState && !last) {
            throw new IllegalStateException(segment.path + " has no state frame");
        }
        return sawState ? at : -1;
    }

    private static void refuseIfAFrameFollows(Segment segment, long at, long size) throws IOException {
        long later = SegmentFormat.nextValidFrame(segment.channel, at + 1, size);
        if (later >= 0) {
            throw new IllegalStateException(segment.path + " is corrupt at offset " + at + ": the frame there fails"
                    + " its length or CRC but a valid frame follows at offset " + later + ", so it is damage to"
                    + " acknowledged records, not a torn write; refusing to open rather than drop them");
        }
    }

    private long cutTornTail(Segment segment, long at, long size, boolean last, boolean sawState) throws IOException {
        if (!last) {
            throw new IllegalStateException(segment.path + " is corrupt at offset " + at + " and is not the last segment");
        }
        if (!sawState) {
            return -1;
        }
        LOG.log(System.Logger.Level.WARNING, "shared log: cut a torn tail of {0} bytes at offset {1} of {2}",
                size - at, at, segment.path);
        segment.channel.truncate(at);
        segment.channel.force(true);
        return at;
    }

    /** @return the frame body, or null if its length or CRC fails */
    private static ByteBuffer readFrame(FileChannel ch, long at, long size) throws IOException {
        if (size - at < SegmentFormat.FRAME_HEADER_BYTES) {
            return null;
        }
        ByteBuffer fh = ByteBuffer.allocate(SegmentFormat.FRAME_HEADER_BYTES);
        readFully(ch, fh, at);
        int length = fh.getInt(0);
        if (length < 1 || length > size - at - SegmentFormat.FRAME_HEADER_BYTES) {
            return null;
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(ch, body, at + SegmentFormat.FRAME_HEADER_BYTES);
        return SegmentFormat.crc(body.array(), 0, length) == fh.getInt(4) ? body.flip() : null;
    }

    private void expectState(ByteBuffer body, Path path) {
        if (body.get() != SegmentFormat.STATE || Short.toUnsignedInt(body.getShort()) != colors) {
            throw new IllegalStateException(path + " does not start with a state frame for " + colors + " colors");
        }
        for (int c = 0; c < colors; c++) {
            long f = body.getLong();
            long n = body.getLong();
            if (!haveState) {
                result.first()[c] = f;
                result.next()[c] = n;
            } else if (f > result.first()[c] || n != result.next()[c]) {
                throw new IllegalStateException(path + " state for color " + c + " (" + f + ", " + n
                        + ") disagrees with the segments before it (" + result.first()[c] + ", " + result.next()[c] + ")");
            }
        }
        haveState = true;
    }

    private void apply(ByteBuffer body, Segment segment, long frameAt) {
        byte type = body.get();
        switch (type) {
            case SegmentFormat.RECORDS -> applyRecords(body, segment, frameAt);
            case SegmentFormat.TRIM -> applyTrim(Byte.toUnsignedInt(body.get()), body.getLong(), segment.path);
            default -> throw new IllegalStateException(segment.path + ": unknown frame type " + type + " at " + frameAt);
        }
    }

    private void applyRecords(ByteBuffer body, Segment segment, long frameAt) {
        int count = body.getInt();
        for (int i = 0; i < count; i++) {
            int color = Byte.toUnsignedInt(body.get());
            long position = body.getLong();
            int length = body.getInt();
            if (color >= colors || position != result.next()[color] || length < 0 || length > body.remaining()) {
                throw new IllegalStateException(segment.path + ": frame at " + frameAt + " holds color " + color
                        + " position " + position + " but the log expects " + (color < colors ? result.next()[color] : -1));
            }
            long offset = frameAt + SegmentFormat.FRAME_HEADER_BYTES + body.position();
            result.index().get(color).put(position, new RecordLocation(segment, offset, length));
            body.position(body.position() + length);
            result.next()[color] = position + 1;
            segment.ends[color] = position + 1;
        }
    }

    private void applyTrim(int color, long upTo, Path path) {
        if (color >= colors || upTo > result.next()[color]) {
            throw new IllegalStateException(path + ": trim of color " + color + " to " + upTo + " is beyond the log");
        }
        result.first()[color] = Math.max(result.first()[color], upTo);
        result.index().get(color).headMap(upTo).clear();
    }

    private static void discard(FileChannel ch, Path path) throws IOException {
        ch.close();
        Files.delete(path);
        LOG.log(System.Logger.Level.WARNING, "shared log: removed {0}, whose creation a crash interrupted", path);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) {
                return;
            }
        }
    }
}
