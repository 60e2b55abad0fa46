package ostore.ring.log;

import com.intel.pmem.llpl.PersistentHeap;
import com.intel.pmem.llpl.PersistentMemoryBlock;
import com.intel.pmem.llpl.Range;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The log in an llpl {@link PersistentHeap}: persistent memory when the pool sits on a DAX file
 * system, otherwise a regular file. The layout is {@link LlplFormat}: a chain of large extents
 * shared by all colors, each append call one checksummed frame in it.
 *
 * <p>Why not one libpmemobj transaction per append: on a regular file libpmemobj persists with
 * msync, and a transaction that allocates a block and links it persists the allocator's metadata,
 * the block, the link, the root and its undo log, each flushed on its own (format 1 did that and
 * reached 121 appends/s on a 2-core VM). Here an append is one copy of the frame plus the end
 * marker after it, then one sync; it is durable when the sync returns. A crash can tear only that
 * last frame, whose CRC then fails, so recovery drops it whole. Transactions remain only where several words
 * must change together, and rarely: linking a new extent, and freeing trimmed ones. A trim is one
 * 8-byte store of the color's trim point, then a sync.
 *
 * <p>The sync is {@code fdatasync} of the pool file, not llpl's {@code flush}: llpl flushes with
 * libpmem's {@code pmem_persist}, which only writes back CPU caches and so makes nothing durable on
 * a regular file (PMDK's own manual says to msync there); libpmemobj's transactions do msync. On
 * Linux, fdatasync writes back the pages dirtied through the pool's shared mapping, as msync would.
 * On persistent memory libpmemobj maps the pool with MAP_SYNC, which leaves no dirty page cache, so
 * there the sync should find nothing to write and llpl's cache flush is what makes the frame
 * durable; that cost has not been measured on real persistent memory yet.
 *
 * <p>llpl 1.2.0 offers no public way to close a heap: the pool stays mapped until the JVM exits, and
 * reopening the same path in the same JVM reuses that mapping (state is rebuilt from media either way).
 */
public final class LlplLogStore implements LogStore {
    private final Path pool;
    private final LogStoreConfig config;
    private final PersistentHeap heap;
    private final PersistentMemoryBlock root;
    /** Only for {@link FileChannel#force}: see the class comment. */
    private final FileChannel sync;
    private final long extentBytes;
    private final ColorState[] colors;
    /** Oldest first; only the writer and the trimmer touch it, both under {@link #writeMutex}. */
    private final List<LlplExtent> extents;
    /** Readers share it; trim takes it exclusively because it frees extents readers may be copying. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Serializes appends and trims, which both move the tail or the head of the chain. */
    private final Object writeMutex = new Object();
    private boolean closed;
    /** The extents' capacities summed: what the chain takes of the pool. Written under the write mutex. */
    private volatile long bytesUsed;
    /** Per color, whether it holds records in the oldest extent ({@link #noteOldestHolders}). */
    private volatile boolean[] oldestHolders;
    /** Set when a sync failed: what is on media is then unknown, so the store refuses further writes. */
    private volatile IOException syncFailure;

    private static final class ColorState {
        final ConcurrentSkipListMap<Long, LlplExtent.Batch> batches = new ConcurrentSkipListMap<>();
        volatile long first;
        volatile long next;
    }

    private LlplLogStore(Path pool, LogStoreConfig config, PersistentHeap heap, PersistentMemoryBlock root,
            FileChannel sync) {
        this.pool = pool;
        this.config = config;
        this.heap = heap;
        this.root = root;
        this.sync = sync;
        this.extentBytes = config.extentBytes();
        this.colors = new ColorState[config.colors()];
        long[] firsts = new long[colors.length];
        for (int c = 0; c < colors.length; c++) {
            firsts[c] = root.getLong(LlplFormat.firstSlot(c));
        }
        LlplRecovery.Recovered recovered = LlplRecovery.recover(heap, root, pool.toString(), firsts);
        this.extents = new ArrayList<>(recovered.extents());
        this.bytesUsed = extents.stream().mapToLong(e -> e.capacity).sum();
        for (int c = 0; c < colors.length; c++) {
            ColorState state = new ColorState();
            state.first = firsts[c];
            state.next = recovered.next()[c];
            for (LlplExtent.Batch b : recovered.batches().get(c)) {
                state.batches.put(b.first(), b);
            }
            colors[c] = state;
        }
        restoreEndMarker();
        noteOldestHolders();
    }

    /**
     * Recovery stopped the last extent at its end marker or at the torn frame of the append a crash
     * cut short. The torn bytes must become an end marker before anything else happens: should the
     * next append open a new extent instead of overwriting them, the old extent would end in a bad
     * frame with another extent after it, which recovery rightly refuses as damage.
     */
    private void restoreEndMarker() {
        if (extents.isEmpty()) {
            return;
        }
        LlplExtent tail = extents.getLast();
        if (tail.block.getLong(tail.end) != 0) {
            tail.block.setLong(tail.end, 0);
            sync("end marker after recovery");
        }
    }

    /**
     * Opens the pool at {@code pool}, creating it with {@code config.poolBytes()} if absent.
     *
     * @throws LinkageError if llpl or libpmemobj cannot be loaded
     * @throws IllegalStateException if the pool is not an ostore log of this format and color count,
     *     or is damaged
     */
    public static LlplLogStore open(Path pool, LogStoreConfig config) {
        String path = pool.toAbsolutePath().toString();
        PersistentHeap heap = PersistentHeap.exists(path)
                ? PersistentHeap.openHeap(path)
                : PersistentHeap.createHeap(path, config.poolBytes());
        if (heap.getRoot() == 0) {
            initialize(heap, config);
        }
        PersistentMemoryBlock root = heap.memoryBlockFromHandle(heap.getRoot());
        checkHeader(root, pool, config);
        FileChannel sync;
        try {
            sync = FileChannel.open(pool, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open llpl pool " + pool + " to sync it", e);
        }
        return new LlplLogStore(pool, config, heap, root, sync);
    }

    private static void initialize(PersistentHeap heap, LogStoreConfig config) {
        long size = LlplFormat.rootBytes(config.colors());
        // A crash between the transaction and setRoot leaks this block and nothing else: with no
        // root the next open initializes again.
        PersistentMemoryBlock header = heap.execute(() -> heap.allocateMemoryBlock(size, true, (Range r) -> {
            r.setMemory((byte) 0, 0, size);
            r.setLong(0, LlplFormat.MAGIC);
            r.setInt(LlplFormat.ROOT_FORMAT, LlplFormat.FORMAT_VERSION);
            r.setInt(LlplFormat.ROOT_COLORS, config.colors());
        }));
        heap.setRoot(header.handle());
    }

    private static void checkHeader(PersistentMemoryBlock root, Path pool, LogStoreConfig config) {
        if (root.getLong(0) != LlplFormat.MAGIC) {
            throw new IllegalStateException("llpl pool " + pool + " is not an ostore log (bad magic)");
        }
        int version = root.getInt(LlplFormat.ROOT_FORMAT);
        if (version != LlplFormat.FORMAT_VERSION) {
            throw new IllegalStateException("llpl pool " + pool + " has log format " + version
                    + "; this build reads " + LlplFormat.FORMAT_VERSION);
        }
        int colors = root.getInt(LlplFormat.ROOT_COLORS);
        if (colors != config.colors()) {
            throw new IllegalStateException(
                    "llpl pool " + pool + " holds " + colors + " colors; configured " + config.colors());
        }
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
            checkWritable();
            for (ColorBatch b : batches) {
                config.checkRecords(b.color(), b.records());
            }
            long[] firsts = assignPositions(batches);
            long frameBytes = LlplFormat.frameBytes(batches);
            LlplExtent extent = extentWithRoom(frameBytes);
            long[][] payloadOffsets = new long[batches.size()][];
            byte[] frame = LlplFormat.encode(extent.sequence, batches, firsts, payloadOffsets);
            // One write of the frame and the end marker behind it, then the append's one sync.
            extent.block.copyFromArray(frame, 0, extent.end, frame.length);
            sync("append");
            publish(extent, frameBytes, batches, firsts, payloadOffsets);
            noteOldestHolders();
            return firsts;
        } finally {
            lock.readLock().unlock();
        }
    }

    private void checkWritable() {
        LogBounds.checkOpen(closed, kind());
        IOException failure = syncFailure;
        if (failure != null) {
            throw new IllegalStateException("llpl pool " + pool + " failed to sync earlier; reopen it to recover "
                    + "from what is on media", failure);
        }
    }

    /**
     * Makes every write so far durable. After a failed fdatasync Linux may drop the dirty pages and
     * report success next time, so the store stops writing rather than retry.
     */
    private void sync(String what) {
        try {
            sync.force(false);
        } catch (IOException e) {
            syncFailure = e;
            throw new UncheckedIOException("llpl pool " + pool + ": sync of " + what + " failed; whether it is "
                    + "durable is unknown, and the store takes no more writes", e);
        }
    }

    private long[] assignPositions(List<ColorBatch> batches) {
        long[] next = new long[colors.length];
        for (int c = 0; c < colors.length; c++) {
            next[c] = colors[c].next;
        }
        long[] firsts = new long[batches.size()];
        for (int i = 0; i < batches.size(); i++) {
            ColorBatch b = batches.get(i);
            firsts[i] = next[b.color()];
            next[b.color()] += b.records().size();
        }
        return firsts;
    }

    /** The last extent if the frame fits behind its end, else a new extent linked after it. */
    private LlplExtent extentWithRoom(long frameBytes) {
        LlplExtent tail = extents.isEmpty() ? null : extents.getLast();
        if (tail != null && tail.fits(frameBytes)) {
            return tail;
        }
        long capacity = Math.max(extentBytes,
                LlplFormat.EXTENT_FRAMES + frameBytes + LlplFormat.END_MARKER_BYTES);
        long sequence = tail == null ? 1 : tail.sequence + 1;
        PersistentMemoryBlock block;
        try {
            // Allocation, header and link commit together: a crash leaves either no new extent or a
            // linked one that starts with an end marker. The old tail keeps its end marker, so
            // recovery stops there and moves on to the new extent.
            block = heap.execute(() -> {
                PersistentMemoryBlock b = heap.allocateMemoryBlock(capacity, true, (Range r) -> {
                    r.setLong(LlplFormat.EXTENT_NEXT, 0);
                    r.setLong(LlplFormat.EXTENT_SEQUENCE, sequence);
                    r.setLong(LlplFormat.EXTENT_CAPACITY, capacity);
                    r.setLong(LlplFormat.EXTENT_FRAMES, 0);
                });
                if (tail == null) {
                    root.transactionalSetLong(LlplFormat.ROOT_HEAD, b.handle());
                } else {
                    tail.block.transactionalSetLong(LlplFormat.EXTENT_NEXT, b.handle());
                }
                return b;
            });
        } catch (RuntimeException e) {
            // llpl reports an exhausted heap only as a failed allocation, with no type of its own.
            long[] firsts = new long[colors.length];
            for (int c = 0; c < colors.length; c++) {
                firsts[c] = colors[c].first;
            }
            throw new LogFullException("llpl pool " + pool + " could not add an extent of " + capacity
                    + " bytes with " + (bytesUsed >> 10) + " KiB in " + extents.size() + " extents of a "
                    + (config.poolBytes() >> 10) + " KiB pool: it is full until a trim frees extents (the oldest is"
                    + " kept by " + extents.getFirst().pinnedBy(firsts) + "); the append changed nothing", e);
        }
        LlplExtent extent = new LlplExtent(block, sequence, capacity, colors.length);
        extents.add(extent);
        bytesUsed += capacity;
        return extent;
    }

    /** Makes a durable frame visible to readers: index first, then the volatile next position. */
    private void publish(LlplExtent extent, long frameBytes, List<ColorBatch> batches, long[] firsts,
            long[][] payloadOffsets) {
        long frameOffset = extent.end;
        extent.end = frameOffset + frameBytes;
        for (int i = 0; i < batches.size(); i++) {
            ColorBatch b = batches.get(i);
            int[] lengths = b.records().stream().mapToInt(r -> r.length).toArray();
            LlplExtent.Batch ref = extent.add(b.color(), firsts[i], frameOffset, payloadOffsets[i], lengths);
            ColorState state = colors[b.color()];
            state.batches.put(ref.first(), ref);
            state.next = ref.end();
        }
    }

    @Override
    public List<LogEntry> read(int color, long from, int maxRecords) {
        return read(color, from, maxRecords, Long.MAX_VALUE);
    }

    @Override
    public List<LogEntry> read(int color, long from, int maxRecords, long maxBytes) {
        config.checkColor(color);
        lock.readLock().lock();
        try {
            LogBounds.checkOpen(closed, kind());
            ColorState state = colors[color];
            long next = state.next;
            LogBounds.checkRead(color, from, maxRecords, maxBytes, state.first, next);
            List<LogEntry> out = new ArrayList<>((int) Math.min(Math.min(maxRecords, next - from), 1024));
            long bytes = 0;
            Map.Entry<Long, LlplExtent.Batch> start = state.batches.floorEntry(from);
            if (start == null) {
                return out;
            }
            for (LlplExtent.Batch ref : state.batches.tailMap(start.getKey()).values()) {
                for (int i = (int) Math.max(0, from - ref.first()); i < ref.offsets().length; i++) {
                    if (ref.first() + i >= next
                            || !LogBounds.fits(out.size(), bytes, ref.lengths()[i], maxRecords, maxBytes)) {
                        return out;
                    }
                    bytes += ref.lengths()[i];
                    byte[] payload = new byte[ref.lengths()[i]];
                    if (payload.length > 0) { // llpl rejects a zero-length copy as out of bounds
                        ref.extent().block.copyToArray(ref.offsets()[i], payload, 0, payload.length);
                    }
                    out.add(new LogEntry(color, ref.first() + i, payload));
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
            checkWritable();
            ColorState state = colors[color];
            if (!LogBounds.checkTrim(color, upTo, state.first, state.next)) {
                return;
            }
            // The trim is durable once this aligned 8-byte store is: recovery never indexes below it.
            root.setLong(LlplFormat.firstSlot(color), upTo);
            sync("trim");
            state.first = upTo;
            state.batches.headMap(upTo, true).values().removeIf(b -> b.end() <= upTo);
            freeTrimmedExtents();
            noteOldestHolders();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Which colors hold records in the oldest extent, published for {@link #holdsOldest}. Under the write mutex. */
    private void noteOldestHolders() {
        boolean[] holders = new boolean[colors.length];
        if (!extents.isEmpty()) {
            LlplExtent oldest = extents.getFirst();
            for (int c = 0; c < colors.length; c++) {
                holders[c] = oldest.ends[c] > colors[c].first;
            }
        }
        oldestHolders = holders;
    }

    @Override
    public boolean holdsOldest(int color) {
        config.checkColor(color);
        return oldestHolders[color];
    }

    /**
     * Frees the extents at the head of the chain that hold nothing at or above any trim point. The
     * last extent stays, since appends go on in it. A crash before this runs leaves the extents to
     * the next trim; recovery reads them and indexes nothing from them.
     */
    private void freeTrimmedExtents() {
        long[] firsts = new long[colors.length];
        for (int c = 0; c < colors.length; c++) {
            firsts[c] = colors[c].first;
        }
        int dropped = 0;
        while (dropped < extents.size() - 1 && extents.get(dropped).whollyTrimmed(firsts)) {
            dropped++;
        }
        if (dropped == 0) {
            return;
        }
        List<LlplExtent> freed = List.copyOf(extents.subList(0, dropped));
        long newHead = extents.get(dropped).block.handle();
        heap.execute(() -> {
            root.transactionalSetLong(LlplFormat.ROOT_HEAD, newHead);
            for (LlplExtent e : freed) {
                e.block.free(true);
            }
        });
        extents.subList(0, dropped).clear();
        for (LlplExtent e : freed) {
            bytesUsed -= e.capacity;
        }
    }

    @Override
    public long bytesUsed() {
        return bytesUsed;
    }

    /**
     * The room for extents: the pool less what libpmemobj keeps for itself and loses to its 256 KiB
     * chunks, an eighth of the pool or 12 MiB, whichever is more. Measured on this store's pools
     * filled with blocks of about 2 MiB (an extent of one large record): 52 MiB of a 64 MiB pool,
     * 166 MiB of 192 MiB, 906 MiB of 1 GiB. Those who refuse new work before the log is full
     * ({@code usedMoreThan}) must count from what can really be allocated.
     */
    @Override
    public long capacityBytes() {
        return config.poolBytes() - Math.max(config.poolBytes() / 8, 12L << 20);
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
        return "llpl (libpmemobj.so.1) pool " + pool.toAbsolutePath() + ", " + (heap.size() >> 20) + " MiB, extents of "
                + (extentBytes >> 10) + " KiB";
    }

    @Override
    public LogStoreConfig config() {
        return config;
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                sync.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close llpl pool " + pool, e);
        } finally {
            lock.writeLock().unlock();
        }
    }
}
