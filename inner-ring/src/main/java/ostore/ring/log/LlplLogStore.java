package ostore.ring.log;

import com.intel.pmem.llpl.Range;
import com.intel.pmem.llpl.TransactionalHeap;
import com.intel.pmem.llpl.TransactionalMemoryBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The log in an llpl {@link TransactionalHeap}: persistent memory when the pool sits on a DAX file
 * system, otherwise a regular file that libpmemobj flushes with msync. Every append and trim is one
 * libpmemobj transaction, so a batch is all-or-nothing across a crash.
 *
 * <p>On media (format 1, all numbers little-endian as llpl writes them): the heap root is a header
 * block {@code [u64 magic "OSTLOGPM"][u32 format][u32 colors]} followed by one 32-byte slot per color
 * {@code [u64 head block][u64 tail block][u64 first position][u64 next position]}. Each color is a
 * singly linked list of batch blocks {@code [u64 next block][u64 first position][u32 count][u32 color]}
 * then {@code count} times {@code [u32 length][payload]}. Block references are llpl handles, 0 for none.
 *
 * <p>llpl 1.2.0 offers no public way to close a heap: the pool stays mapped until the JVM exits, and
 * reopening the same path in the same JVM reuses that mapping (state is rebuilt from media either way).
 */
public final class LlplLogStore implements LogStore {
    static final long MAGIC = 0x4d50474f4c54534fL; // "OSTLOGPM" read as a little-endian u64
    static final int FORMAT_VERSION = 1;

    private static final long ROOT_VERSION = 8;
    private static final long ROOT_COLORS = 12;
    private static final long ROOT_SLOTS = 16;
    private static final long SLOT_BYTES = 32;
    private static final long SLOT_HEAD = 0;
    private static final long SLOT_TAIL = 8;
    private static final long SLOT_FIRST = 16;
    private static final long SLOT_NEXT = 24;
    private static final long BATCH_NEXT = 0;
    private static final long BATCH_FIRST = 8;
    private static final long BATCH_COUNT = 16;
    private static final long BATCH_COLOR = 20;
    private static final long BATCH_RECORDS = 24;

    private final Path pool;
    private final LogStoreConfig config;
    private final TransactionalHeap heap;
    private final TransactionalMemoryBlock root;
    private final ColorState[] colors;
    /** Readers share it; trim takes it exclusively because it frees blocks readers may be copying. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Serializes appends and trims, which both move a color's slot. */
    private final Object writeMutex = new Object();
    private boolean closed;

    /** A batch block as the in-memory index sees it: where each record's payload starts. */
    private record BatchRef(TransactionalMemoryBlock block, long first, long[] offsets, int[] lengths) {}

    private static final class ColorState {
        final ConcurrentSkipListMap<Long, BatchRef> batches = new ConcurrentSkipListMap<>();
        volatile long first;
        volatile long next;
    }

    private LlplLogStore(Path pool, LogStoreConfig config, TransactionalHeap heap, TransactionalMemoryBlock root) {
        this.pool = pool;
        this.config = config;
        this.heap = heap;
        this.root = root;
        this.colors = new ColorState[config.colors()];
        for (int c = 0; c < colors.length; c++) {
            colors[c] = new ColorState();
            rebuild(c);
        }
    }

    /**
     * Opens the pool at {@code pool}, creating it with {@code config.poolBytes()} if absent.
     *
     * @throws LinkageError if llpl or libpmemobj cannot be loaded
     * @throws IllegalStateException if the pool is not an ostore log of this format and color count
     */
    public static LlplLogStore open(Path pool, LogStoreConfig config) {
        String path = pool.toAbsolutePath().toString();
        TransactionalHeap heap = TransactionalHeap.exists(path)
                ? TransactionalHeap.openHeap(path)
                : TransactionalHeap.createHeap(path, config.poolBytes());
        if (heap.getRoot() == 0) {
            initialize(heap, config);
        }
        TransactionalMemoryBlock root = heap.memoryBlockFromHandle(heap.getRoot());
        checkHeader(root, pool, config);
        return new LlplLogStore(pool, config, heap, root);
    }

    private static void initialize(TransactionalHeap heap, LogStoreConfig config) {
        long size = ROOT_SLOTS + SLOT_BYTES * config.colors();
        // A crash between the transaction and setRoot leaks this block and nothing else: with no
        // root the next open initializes again.
        TransactionalMemoryBlock header = heap.execute(() -> heap.allocateMemoryBlock(size, (Range r) -> {
            r.setMemory((byte) 0, 0, size);
            r.setLong(0, MAGIC);
            r.setInt(ROOT_VERSION, FORMAT_VERSION);
            r.setInt(ROOT_COLORS, config.colors());
        }));
        heap.setRoot(header.handle());
    }

    private static void checkHeader(TransactionalMemoryBlock root, Path pool, LogStoreConfig config) {
        if (root.getLong(0) != MAGIC) {
            throw new IllegalStateException("llpl pool " + pool + " is not an ostore log (bad magic)");
        }
        int version = root.getInt(ROOT_VERSION);
        if (version != FORMAT_VERSION) {
            throw new IllegalStateException(
                    "llpl pool " + pool + " has log format " + version + "; this build reads " + FORMAT_VERSION);
        }
        int colors = root.getInt(ROOT_COLORS);
        if (colors != config.colors()) {
            throw new IllegalStateException(
                    "llpl pool " + pool + " holds " + colors + " colors; configured " + config.colors());
        }
    }

    private void rebuild(int color) {
        ColorState state = colors[color];
        long slot = ROOT_SLOTS + SLOT_BYTES * color;
        state.first = root.getLong(slot + SLOT_FIRST);
        state.next = root.getLong(slot + SLOT_NEXT);
        long expected = -1;
        for (long h = root.getLong(slot + SLOT_HEAD); h != 0; ) {
            BatchRef ref = index(heap.memoryBlockFromHandle(h));
            if (ref.block.getInt(BATCH_COLOR) != color || (expected >= 0 && ref.first != expected)) {
                throw new IllegalStateException("llpl pool " + pool + ": color " + color
                        + " chain is broken at position " + ref.first + " (expected " + expected + ")");
            }
            state.batches.put(ref.first, ref);
            expected = ref.first + ref.offsets.length;
            h = ref.block.getLong(BATCH_NEXT);
        }
        if (expected >= 0 && expected != state.next) {
            throw new IllegalStateException("llpl pool " + pool + ": color " + color + " ends at " + expected
                    + " but its slot says " + state.next);
        }
    }

    private static BatchRef index(TransactionalMemoryBlock block) {
        int count = block.getInt(BATCH_COUNT);
        long[] offsets = new long[count];
        int[] lengths = new int[count];
        long at = BATCH_RECORDS;
        for (int i = 0; i < count; i++) {
            lengths[i] = block.getInt(at);
            offsets[i] = at + Integer.BYTES;
            at = offsets[i] + lengths[i];
        }
        return new BatchRef(block, block.getLong(BATCH_FIRST), offsets, lengths);
    }

    @Override
    public long[] append(List<ColorBatch> batches) {
        synchronized (writeMutex) {
            return appendLocked(batches);
        }
    }

    private long[] appendLocked(List<ColorBatch> batches) {
        lock.readLock().lock();
        try {
            LogBounds.checkOpen(closed, kind());
            for (ColorBatch b : batches) {
                config.checkRecords(b.color(), b.records());
            }
            long[] firsts = new long[batches.size()];
            List<BatchRef> written = new ArrayList<>(batches.size());
            try {
                heap.execute(() -> writeAll(batches, firsts, written));
            } catch (RuntimeException e) {
                throw new IllegalStateException("llpl append of " + batches.size() + " batches to " + pool
                        + " failed and changed nothing", e);
            }
            publish(written);
            return firsts;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs inside one transaction: allocates and links a block per batch, then moves each tail. */
    private void writeAll(List<ColorBatch> batches, long[] firsts, List<BatchRef> written) {
        long[] next = new long[colors.length];
        for (int c = 0; c < colors.length; c++) {
            next[c] = colors[c].next;
        }
        for (int i = 0; i < batches.size(); i++) {
            ColorBatch b = batches.get(i);
            firsts[i] = next[b.color()];
            TransactionalMemoryBlock block = allocateBatch(b, firsts[i]);
            link(b.color(), block.handle());
            next[b.color()] += b.records().size();
            root.setLong(slotOf(b.color()) + SLOT_NEXT, next[b.color()]);
            written.add(index(block));
        }
    }

    private TransactionalMemoryBlock allocateBatch(ColorBatch b, long first) {
        long size = BATCH_RECORDS + Integer.BYTES * (long) b.records().size() + b.payloadBytes();
        return heap.allocateMemoryBlock(size, (Range r) -> {
            r.setLong(BATCH_NEXT, 0);
            r.setLong(BATCH_FIRST, first);
            r.setInt(BATCH_COUNT, b.records().size());
            r.setInt(BATCH_COLOR, b.color());
            long at = BATCH_RECORDS;
            for (byte[] record : b.records()) {
                r.setInt(at, record.length);
                if (record.length > 0) { // llpl rejects a zero-length copy as out of bounds
                    r.copyFromArray(record, 0, at + Integer.BYTES, record.length);
                }
                at += Integer.BYTES + record.length;
            }
        });
    }

    private void link(int color, long handle) {
        long slot = slotOf(color);
        long tail = root.getLong(slot + SLOT_TAIL);
        if (tail == 0) {
            root.setLong(slot + SLOT_HEAD, handle);
        } else {
            heap.memoryBlockFromHandle(tail).setLong(BATCH_NEXT, handle);
        }
        root.setLong(slot + SLOT_TAIL, handle);
    }

    private void publish(List<BatchRef> written) {
        for (BatchRef ref : written) {
            ColorState state = colors[ref.block.getInt(BATCH_COLOR)];
            state.batches.put(ref.first, ref);
            state.next = ref.first + ref.offsets.length;
        }
    }

    private static long slotOf(int color) {
        return ROOT_SLOTS + SLOT_BYTES * color;
    }

    @Override
    public List<LogEntry> read(int color, long from, int maxRecords) {
        config.checkColor(color);
        lock.readLock().lock();
        try {
            LogBounds.checkOpen(closed, kind());
            ColorState state = colors[color];
            long next = state.next;
            LogBounds.checkRead(color, from, maxRecords, state.first, next);
            List<LogEntry> out = new ArrayList<>((int) Math.min(maxRecords, next - from));
            Map.Entry<Long, BatchRef> start = state.batches.floorEntry(from);
            for (BatchRef ref : start == null ? List.<BatchRef>of() : state.batches.tailMap(start.getKey()).values()) {
                for (int i = (int) Math.max(0, from - ref.first); i < ref.offsets.length; i++) {
                    if (out.size() == maxRecords || ref.first + i >= next) {
                        return out;
                    }
                    byte[] payload = new byte[ref.lengths[i]];
                    if (payload.length > 0) {
                        ref.block.copyToArray(ref.offsets[i], payload, 0, payload.length);
                    }
                    out.add(new LogEntry(color, ref.first + i, payload));
                }
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void trim(int color, long upTo) {
        config.checkColor(color);
        synchronized (writeMutex) {
            trimLocked(color, upTo);
        }
    }

    private void trimLocked(int color, long upTo) {
        lock.writeLock().lock();
        try {
            LogBounds.checkOpen(closed, kind());
            ColorState state = colors[color];
            if (!LogBounds.checkTrim(color, upTo, state.first, state.next)) {
                return;
            }
            List<BatchRef> dropped = new ArrayList<>();
            for (BatchRef ref : state.batches.values()) {
                if (ref.first + ref.offsets.length > upTo) {
                    break;
                }
                dropped.add(ref);
            }
            heap.execute(() -> dropBlocks(color, upTo, dropped));
            for (BatchRef ref : dropped) {
                state.batches.remove(ref.first);
            }
            state.first = upTo;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void dropBlocks(int color, long upTo, List<BatchRef> dropped) {
        long slot = slotOf(color);
        if (!dropped.isEmpty()) {
            long newHead = dropped.getLast().block.getLong(BATCH_NEXT);
            root.setLong(slot + SLOT_HEAD, newHead);
            if (newHead == 0) {
                root.setLong(slot + SLOT_TAIL, 0);
            }
            for (BatchRef ref : dropped) {
                ref.block.free();
            }
        }
        root.setLong(slot + SLOT_FIRST, upTo);
    }

    @Override
    public long firstPosition(int color) {
        config.checkColor(color);
        return colors[color].first;
    }

    @Override
    public long nextPosition(int color) {
        config.checkColor(color);
        return colors[color].next;
    }

    @Override
    public String kind() {
        return "llpl";
    }

    @Override
    public String description() {
        return "llpl (libpmemobj.so.1) pool " + pool.toAbsolutePath() + ", " + (heap.size() >> 20) + " MiB";
    }

    @Override
    public LogStoreConfig config() {
        return config;
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
