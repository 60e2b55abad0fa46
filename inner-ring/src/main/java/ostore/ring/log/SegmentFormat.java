package ostore.ring.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The byte layout of the segment store, format 1, big-endian. A segment file is a header
 * {@code [u64 magic "OSTLOGSG"][u16 format][u16 colors][u64 sequence][u32 crc32c of the previous 20
 * bytes]} followed by frames {@code [u32 body length][u32 crc32c of body][body]}. A body starts with
 * its type code:
 * <ul>
 *   <li>{@value #STATE}: {@code [u16 colors]} then per color {@code [u64 first][u64 next]}; the first
 *       frame of every segment, so a segment can be read without the ones deleted before it;
 *   <li>{@value #RECORDS}: {@code [u32 count]} then per record {@code [u8 color][u64 position][u32
 *       length][payload]}; one append, all of it or none of it;
 *   <li>{@value #TRIM}: {@code [u8 color][u64 upTo]}.
 * </ul>
 */
final class SegmentFormat {
    static final long MAGIC = 0x4f53544c4f475347L; // "OSTLOGSG"
    static final int FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 24;
    static final int FRAME_HEADER_BYTES = 8;
    static final byte STATE = 1;
    static final byte RECORDS = 2;
    static final byte TRIM = 3;
    static final int RECORD_HEADER_BYTES = 1 + 8 + 4;

    private SegmentFormat() {}

    static ByteBuffer header(int colors, long sequence) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.putLong(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) colors).putLong(sequence);
        b.putInt(crc(b.array(), 0, 20));
        return b.flip();
    }

    /** @return the sequence number the header names */
    static long checkHeader(ByteBuffer b, int colors, String file) {
        if (b.remaining() < HEADER_BYTES) {
            throw new IllegalStateException(file + ": header is " + b.remaining() + " bytes, needs " + HEADER_BYTES);
        }
        int crc = crc(b.array(), 0, 20);
        if (b.getLong(0) != MAGIC || b.getInt(20) != crc) {
            throw new IllegalStateException(file + " is not an ostore log segment (bad magic or header CRC)");
        }
        int format = Short.toUnsignedInt(b.getShort(8));
        if (format != FORMAT_VERSION) {
            throw new IllegalStateException(file + " has log format " + format + "; this build reads " + FORMAT_VERSION);
        }
        int stored = Short.toUnsignedInt(b.getShort(10));
        if (stored != colors) {
            throw new IllegalStateException(file + " holds " + stored + " colors; configured " + colors);
        }
        return b.getLong(12);
    }

    static ByteBuffer stateFrame(long[] first, long[] next) {
        ByteBuffer body = ByteBuffer.allocate(1 + 2 + 16 * first.length);
        body.put(STATE).putShort((short) first.length);
        for (int c = 0; c < first.length; c++) {
            body.putLong(first[c]).putLong(next[c]);
        }
        return frame(body);
    }

    static ByteBuffer recordsFrame(List<LogEntry> entries) {
        long size = 1 + 4;
        for (LogEntry e : entries) {
            size += RECORD_HEADER_BYTES + e.payload().length;
        }
        if (size > Integer.MAX_VALUE - FRAME_HEADER_BYTES) {
            throw new IllegalArgumentException("append of " + size + " bytes exceeds one frame ("
                    + (Integer.MAX_VALUE - FRAME_HEADER_BYTES) + ")");
        }
        ByteBuffer body = ByteBuffer.allocate((int) size);
        body.put(RECORDS).putInt(entries.size());
        for (LogEntry e : entries) {
            body.put((byte) e.color()).putLong(e.position()).putInt(e.payload().length).put(e.payload());
        }
        return frame(body);
    }

    static ByteBuffer trimFrame(int color, long upTo) {
        return frame(ByteBuffer.allocate(1 + 1 + 8).put(TRIM).put((byte) color).putLong(upTo));
    }

    private static ByteBuffer frame(ByteBuffer body) {
        byte[] bytes = body.array();
        ByteBuffer f = ByteBuffer.allocate(FRAME_HEADER_BYTES + bytes.length);
        f.putInt(bytes.length).putInt(crc(bytes, 0, bytes.length)).put(bytes);
        return f.flip();
    }

    /**
     * The offset of the first frame in {@code [from, size)} of {@code ch} whose length fits, whose
     * type may follow a state frame and whose CRC matches, or -1. Cheap checks come before the CRC,
     * so the bytes of a torn frame cost little to rule out.
     */
    static long nextValidFrame(FileChannel ch, long from, long size) throws IOException {
        long span = Math.min(size - from, Integer.MAX_VALUE);
        if (span < FRAME_HEADER_BYTES + 1) {
            return -1;
        }
        MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, from, span);
        int n = (int) span;
        for (int o = 0; o + FRAME_HEADER_BYTES < n; o++) {
            int length = m.getInt(o);
            if (length < 1 || length > n - o - FRAME_HEADER_BYTES) {
                continue;
            }
            byte type = m.get(o + FRAME_HEADER_BYTES);
            boolean plausible = type == TRIM ? length == 1 + 1 + 8
                    : type == RECORDS && length >= 1 + 4 + RECORD_HEADER_BYTES;
            if (plausible && crc(m.slice(o + FRAME_HEADER_BYTES, length)) == m.getInt(o + 4)) {
                return from + o;
            }
        }
        return -1;
    }

    private static int crc(ByteBuffer body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        return (int) crc.getValue();
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
