package ostore.ring.log;

import com.intel.pmem.llpl.PersistentMemoryBlock;

/**
 * One extent of the llpl log (see {@link LlplFormat}) as the writer and the trimmer see it in
 * memory. Only the writer moves {@link #end} and {@link #ends}, under the store's write mutex.
 */
final class LlplExtent {
    final PersistentMemoryBlock block;
    final long sequence;
    final long capacity;
    /** Where the next frame goes, which is where the end marker lies on media. */
    long end;
    /** Per color, the position after the last record held here; 0 when there is none. */
    final long[] ends;

    LlplExtent(PersistentMemoryBlock block, long sequence, long capacity, int colors) {
        this.block = block;
        this.sequence = sequence;
        this.capacity = capacity;
        this.end = LlplFormat.EXTENT_FRAMES;
        this.ends = new long[colors];
    }

    /** Whether a frame of {@code frameBytes} and the end marker after it fit behind {@link #end}. */
    boolean fits(long frameBytes) {
        return end + frameBytes + LlplFormat.END_MARKER_BYTES <= capacity;
    }

    /** Whether every record here is below its color's trim point, so the extent may be freed. */
    boolean whollyTrimmed(long[] firsts) {
        for (int c = 0; c < ends.length; c++) {
            if (ends[c] > firsts[c]) {
                return false;
            }
        }
        return true;
    }

    /** The colors holding records here at or above their trim point: what keeps the extent. */
    String pinnedBy(long[] firsts) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < ends.length; c++) {
            if (ends[c] > firsts[c]) {
                b.append(b.isEmpty() ? "" : ", ").append("color ").append(c).append(" from position ").append(firsts[c]);
            }
        }
        return b.toString();
    }

    /** A batch as the read index sees it: its extent and where each record's payload starts. */
    record Batch(LlplExtent extent, long first, long[] offsets, int[] lengths) {
        long end() {
            return first + offsets.length;
        }
    }

    /** Records a batch this extent now holds at {@code frameOffset}; payload offsets are frame-relative. */
    Batch add(int color, long first, long frameOffset, long[] payloadOffsets, int[] lengths) {
        long[] absolute = new long[payloadOffsets.length];
        for (int i = 0; i < absolute.length; i++) {
            absolute[i] = frameOffset + payloadOffsets[i];
        }
        Batch batch = new Batch(this, first, absolute, lengths);
        ends[color] = batch.end();
        return batch;
    }
}
