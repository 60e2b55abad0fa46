package ostore.ring.log;

import com.intel.pmem.llpl.PersistentHeap;
import com.intel.pmem.llpl.PersistentMemoryBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds the llpl store's state from media: walks the extent chain from the root, checks every
 * frame's CRC and structure, and stops at the end marker. Appends flush each frame before they
 * return and before the next one starts, so only the last extent's last frame can be torn by a
 * crash; recovery cuts it there and refuses a bad frame anywhere else, since that is damage to
 * something already acknowledged. A bad frame in the last extent counts as torn only if no frame
 * of that extent verifies after it (frames are 8-byte aligned and their CRC binds the extent's
 * sequence, so stale bytes of an older extent never pass); one that does means media damage in the
 * middle of the tail, and dropping everything after it would lose acknowledged records silently.
 */
final class LlplRecovery {
    /** What the store needs to go on: its extents in order, and per color the batches and next position. */
    record Recovered(List<LlplExtent> extents, long[] next, List<List<LlplExtent.Batch>> batches) {}

    private final PersistentHeap heap;
    private final String pool;
    private final int colors;
    private final long[] firsts;
    private final long[] next;
    private final boolean[] seen;
    private final List<List<LlplExtent.Batch>> batches = new ArrayList<>();

    private LlplRecovery(PersistentHeap heap, String pool, long[] firsts) {
        this.heap = heap;
        this.pool = pool;
        this.colors = firsts.length;
        this.firsts = firsts;
        this.next = firsts.clone();
        this.seen = new boolean[colors];
        for (int c = 0; c < colors; c++) {
            batches.add(new ArrayList<>());
        }
    }

    static Recovered recover(PersistentHeap heap, PersistentMemoryBlock root, String pool, long[] firsts) {
        LlplRecovery r = new LlplRecovery(heap, pool, firsts);
        List<LlplExtent> extents = new ArrayList<>();
        long expectedSequence = -1;
        for (long h = root.getLong(LlplFormat.ROOT_HEAD); h != 0; ) {
            PersistentMemoryBlock block = heap.memoryBlockFromHandle(h);
            long following = block.getLong(LlplFormat.EXTENT_NEXT);
            LlplExtent extent = r.openExtent(block, expectedSequence);
            r.scan(extent, following == 0);
            extents.add(extent);
            expectedSequence = extent.sequence + 1;
            h = following;
        }
        for (int c = 0; c < r.colors; c++) {
            if (r.next[c] < firsts[c]) {
                throw r.damaged("color " + c + " ends at " + r.next[c] + " below its trim point " + firsts[c]);
            }
        }
        return new Recovered(List.copyOf(extents), r.next, r.batches);
    }

    private LlplExtent openExtent(PersistentMemoryBlock block, long expectedSequence) {
        long sequence = block.getLong(LlplFormat.EXTENT_SEQUENCE);
        long capacity = block.getLong(LlplFormat.EXTENT_CAPACITY);
        if (sequence < 1 || (expectedSequence >= 0 && sequence != expectedSequence)) {
            throw damaged("extent " + sequence + " follows " + (expectedSequence - 1) + " in the chain");
        }
        if (capacity < LlplFormat.EXTENT_FRAMES + LlplFormat.END_MARKER_BYTES || capacity > block.size()) {
            throw damaged("extent " + sequence + " claims capacity " + capacity + " in a block of " + block.size());
        }
        return new LlplExtent(block, sequence, capacity, colors);
    }

    /** Indexes every valid frame of {@code extent} and leaves its {@code end} at the end marker. */
    private void scan(LlplExtent extent, boolean last) {
        PersistentMemoryBlock block = extent.block;
        while (extent.end + LlplFormat.FRAME_HEADER_BYTES <= extent.capacity) {
            long at = extent.end;
            long length = Integer.toUnsignedLong(block.getInt(at));
            if (length == 0) {
                return;
            }
            long frameBytes = LlplFormat.align8(LlplFormat.FRAME_HEADER_BYTES + length);
            byte[] body = null;
            if (length <= Integer.MAX_VALUE - 2 * LlplFormat.FRAME_HEADER_BYTES && extent.fits(frameBytes)) {
                body = new byte[(int) length];
                block.copyToArray(at + LlplFormat.FRAME_HEADER_BYTES, body, 0, body.length);
            }
            if (body == null || LlplFormat.crc(extent.sequence, body, 0, body.length) != block.getInt(at + 4)) {
                if (last) {
                    refuseIfAFrameFollows(extent, at);
                    return; // the append in flight at the crash; it was never acknowledged
                }
                throw damaged("extent " + extent.sequence + " has a bad frame at offset " + at
                        + " although later extents follow it");
            }
            String where = "llpl pool " + pool + ", extent " + extent.sequence + " offset " + at;
            for (LlplFormat.DecodedBatch d : LlplFormat.decode(body, colors, where)) {
                index(extent, at + LlplFormat.FRAME_HEADER_BYTES, d, where);
            }
            extent.end = at + frameBytes;
        }
        throw damaged("extent " + extent.sequence + " has no end marker");
    }

    private void refuseIfAFrameFollows(LlplExtent extent, long at) {
        long later = LlplFormat.nextValidFrame(extent.block, extent.sequence, at + 8, extent.capacity, colors);
        if (later >= 0) {
            throw damaged("extent " + extent.sequence + " has a bad frame at offset " + at + " but a valid frame"
                    + " follows at offset " + later + ", so it is damage to acknowledged records, not a torn write");
        }
    }

    private void index(LlplExtent extent, long bodyOffset, LlplFormat.DecodedBatch d, String where) {
        int c = d.color();
        // Trims free extents from the head only once all they hold is below the trim points, so the
        // first batch left of a color starts at or below its trim point, and the rest follow densely.
        boolean follows = seen[c] ? d.first() == next[c] : d.first() <= firsts[c];
        if (!follows) {
            throw new IllegalStateException(where + ": color " + c + " batch starts at " + d.first()
                    + " but " + (seen[c] ? "the color had reached " + next[c] : "its trim point is " + firsts[c]));
        }
        seen[c] = true;
        LlplExtent.Batch batch = extent.add(c, d.first(), bodyOffset, d.offsets(), d.lengths());
        next[c] = batch.end();
        if (batch.end() > firsts[c]) {
            batches.get(c).add(batch);
        }
    }

    private IllegalStateException damaged(String what) {
        return new IllegalStateException("llpl pool " + pool + " is damaged: " + what);
    }
}
