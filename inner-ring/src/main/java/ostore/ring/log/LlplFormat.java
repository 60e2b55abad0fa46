package ostore.ring.log;

import com.intel.pmem.llpl.PersistentMemoryBlock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The byte layout of the llpl store, format 2, little-endian (as llpl stores numbers).
 *
 * <p>The heap root is {@code [u64 magic "OSTLOGPM"][u32 format][u32 colors][u64 head extent]} then
 * one {@code u64} trim point (first readable position) per color. The log itself is a chain of
 * extents, large blocks shared by all colors and allocated rarely: {@code [u64 next extent][u64
 * sequence][u64 capacity]} then frames from offset {@value #EXTENT_FRAMES}. Handles are llpl's, 0 for
 * none; the first extent has sequence 1 and each next one is one more.
 *
 * <p>A frame is one append call: {@code [u32 body length][u32 crc32c][body]}, zero-padded to a
 * multiple of 8 bytes. The CRC covers the extent's sequence (as a u64) and then the body, so a frame
 * is valid only in the extent it was written to and never in memory that held an older extent. The
 * body is {@code [u32 batch count]} then per batch {@code [u32 color][u64 first position][u32 record
 * count]} and per record {@code [u32 length][payload]}. A body length of 0 ends an extent's frames:
 * every frame is written together with 8 zero bytes after it, and a new extent starts with them.
 */
final class LlplFormat {
    static final long MAGIC = 0x4d50474f4c54534fL; // "OSTLOGPM" read as a little-endian u64
    static final int FORMAT_VERSION = 2;

    static final long ROOT_FORMAT = 8;
    static final long ROOT_COLORS = 12;
    static final long ROOT_HEAD = 16;
    static final long ROOT_FIRSTS = 24;

    static final long EXTENT_NEXT = 0;
    static final long EXTENT_SEQUENCE = 8;
    static final long EXTENT_CAPACITY = 16;
    static final long EXTENT_FRAMES = 24;

    static final int FRAME_HEADER_BYTES = 8;
    static final int END_MARKER_BYTES = 8;
    private static final int BATCH_HEADER_BYTES = 4 + 8 + 4;

    private LlplFormat() {}

    static long rootBytes(int colors) {
        return ROOT_FIRSTS + 8L * colors;
    }

    static long firstSlot(int color) {
        return ROOT_FIRSTS + 8L * color;
    }

    static long align8(long n) {
        return (n + 7) & ~7L;
    }

    /**
     * Bytes a frame of these batches takes in an extent, padding included, end marker excluded.
     *
     * @throws IllegalArgumentException if the frame and its end marker would not fit one Java array
     */
    static long frameBytes(List<ColorBatch> batches) {
        long body = 4;
        for (ColorBatch b : batches) {
            body += BATCH_HEADER_BYTES + 4L * b.records().size() + b.payloadBytes();
        }
        long frame = align8(FRAME_HEADER_BYTES + body);
        if (frame > Integer.MAX_VALUE - END_MARKER_BYTES - 7) {
            throw new IllegalArgumentException("append of " + frame + " bytes exceeds one llpl frame ("
                    + (Integer.MAX_VALUE - END_MARKER_BYTES - 7) + ")");
        }
        return frame;
    }

    /**
     * The frame of one append call followed by the end marker, ready to copy to an extent in one
     * write and one flush.
     *
     * @param payloadOffsets filled per batch and record with the payload's offset from the frame start
     */
    static byte[] encode(long sequence, List<ColorBatch> batches, long[] firsts, long[][] payloadOffsets) {
        long frame = frameBytes(batches);
        ByteBuffer b = ByteBuffer.allocate((int) (frame + END_MARKER_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(FRAME_HEADER_BYTES);
        b.putInt(batches.size());
        for (int i = 0; i < batches.size(); i++) {
            ColorBatch batch = batches.get(i);
            b.putInt(batch.color()).putLong(firsts[i]).putInt(batch.records().size());
            payloadOffsets[i] = new long[batch.records().size()];
            for (int r = 0; r < batch.records().size(); r++) {
                byte[] record = batch.records().get(r);
                b.putInt(record.length);
                payloadOffsets[i][r] = b.position();
                b.put(record);
            }
        }
        int body = b.position() - FRAME_HEADER_BYTES;
        b.putInt(0, body);
        b.putInt(4, crc(sequence, b.array(), FRAME_HEADER_BYTES, body));
        return b.array();
    }

    /**
     * The offset of the first 8-byte aligned frame in {@code [from, capacity)} of an extent that
     * starts like a frame body (a batch count and a first batch header in range) and whose CRC
     * matches for {@code sequence}, or -1. The cheap checks come first, so the bytes of a torn frame
     * cost little to rule out.
     */
    static long nextValidFrame(PersistentMemoryBlock block, long sequence, long from, long capacity, int colors) {
        long minBody = 4 + BATCH_HEADER_BYTES + 4;
        for (long at = align8(from); at + FRAME_HEADER_BYTES + minBody <= capacity; at += 8) {
            long length = Integer.toUnsignedLong(block.getInt(at));
            long body = at + FRAME_HEADER_BYTES;
            if (length < minBody || length > capacity - body || block.getInt(body) < 1) {
                continue;
            }
            int color = block.getInt(body + 4);
            if (color < 0 || color >= colors || block.getLong(body + 8) < 0 || block.getInt(body + 16) < 1) {
                continue;
            }
            byte[] bytes = new byte[(int) length];
            block.copyToArray(body, bytes, 0, bytes.length);
            if (crc(sequence, bytes, 0, bytes.length) == block.getInt(at + 4)) {
                return at;
            }
        }
        return -1;
    }

    static int crc(long sequence, byte[] body, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, sequence));
        crc.update(body, offset, length);
        return (int) crc.getValue();
    }

    /** One batch of a frame read back, payload offsets relative to the body's start. */
    record DecodedBatch(int color, long first, long[] offsets, int[] lengths) {}

    /**
     * Parses a body whose CRC already matched.
     *
     * @throws IllegalStateException if it is not well formed: a checksummed frame that does not
     *     parse is damage or a bug, never a torn write, so it must not be cut away silently
     */
    static List<DecodedBatch> decode(byte[] body, int colors, String where) {
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int batchCount = b.getInt();
            check(batchCount >= 1, where, "batch count " + batchCount);
            DecodedBatch[] out = new DecodedBatch[batchCount];
            for (int i = 0; i < batchCount; i++) {
                int color = b.getInt();
                long first = b.getLong();
                int count = b.getInt();
                check(color >= 0 && color < colors, where, "color " + color);
                check(first >= 0 && count >= 1, where, "batch at " + first + " of " + count + " records");
                long[] offsets = new long[count];
                int[] lengths = new int[count];
                for (int r = 0; r < count; r++) {
                    lengths[r] = b.getInt();
                    check(lengths[r] >= 0 && lengths[r] <= b.remaining(), where, "record length " + lengths[r]);
                    offsets[r] = b.position();
                    b.position(b.position() + lengths[r]);
                }
                out[i] = new DecodedBatch(color, first, offsets, lengths);
            }
            check(!b.hasRemaining(), where, b.remaining() + " bytes after the last record");
            return List.of(out);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalStateException(where + ": frame ends inside a record header", e);
        }
    }

    private static void check(boolean ok, String where, String what) {
        if (!ok) {
            throw new IllegalStateException(where + ": checksummed frame is malformed (" + what + ")");
        }
    }
}
