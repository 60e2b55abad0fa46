package ostore.ring.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The pure-Java log store for machines without libpmemobj: append-only segment files in one
 * directory, shared by all colors, laid out as {@link SegmentFormat} says. Each append is one CRC32C
 * framed write followed by one {@code force}, so a batch is all-or-nothing: on open,
 * {@link SegmentRecovery} cuts a torn tail and never serves a frame whose length or CRC fails.
 * Positions are indexed in memory, rebuilt on open from the surviving segments.
 */
public final class SegmentLogStore implements LogStore {
    private final Path dir;
    private final LogStoreConfig config;
    private final ConcurrentSkipListMap<Long, Segment> segments;
    private final List<ConcurrentSkipListMap<Long, RecordLocation>> index;
    private final AtomicLongArray first;
    /** Per color, whether it holds records in the oldest segment ({@link #noteOldestHolders}). */
    private volatile boolean[] oldestHolders;
    private final AtomicLongArray next;
    /** Readers share it; trim takes it exclusively because it closes and deletes segment files. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Serializes appends and trims, which both write the active segment. */
    private final Object writeMutex = new Object();
    private Segment active;
    private boolean closed;

    /** Where one record's payload sits. */
    record RecordLocation(Segment segment, long offset, int length) {}

    SegmentLogStore(Path dir, LogStoreConfig config, SegmentRecovery.Result recovered) {
        this.dir = dir;
        this.config = config;
        this.segments = recovered.segments();
        this.index = recovered.index();
        this.first = new AtomicLongArray(recovered.first());
        this.next = new AtomicLongArray(recovered.next());
        this.active = segments.isEmpty() ? null : segments.lastEntry().getValue();
        noteOldestHolders();
    }

    /** Which colors hold records in the oldest segment, published for {@link #holdsOldest}. */
    private void noteOldestHolders() {
        boolean[] holders = new boolean[config.colors()];
        var oldest = segments.firstEntry();
        if (oldest != null) {
            for (int c = 0; c < holders.length; c++) {
                holders[c] = oldest.getValue().ends[c] > first.get(c);
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
     * Opens the store in {@code dir}, creating it if empty, and recovers it: a torn tail of the last
     * segment is cut, anything else that fails its checks is an error.
     *
     * @throws UncheckedIOException if the directory cannot be read or written
     * @throws IllegalStateException if a segment is corrupt beyond a torn tail
     */
    public static SegmentLogStore open(Path dir, LogStoreConfig config) {
        try {
            Files.createDirectories(dir);
            SegmentLogStore store = new SegmentLogStore(dir, config, SegmentRecovery.recover(dir, config));
            if (store.active == null) {
                store.roll(0);
            }
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log store in " + dir, e);
        }
    }

    @Override
    public long[] append(List<ColorBatch> batches) {
        synchronized (writeMutex) {
            lock.readLock().lock();
            try {
                LogBounds.checkOpen(closed, kind());
                for (ColorBatch b : batches) {
                    config.checkRecords(b.color(), b.records());
                }
                long[] firsts = new long[batches.size()];
                List<LogEntry> entries = number(batches, firsts);
                ByteBuffer frame = SegmentFormat.recordsFrame(entries);
                long frameStart = write(frame, true);
                publish(entries, frameStart);
                noteOldestHolders();
                return firsts;
            } catch (IOException e) {
                // Worth retrying once space comes back: write() cut the segment back to where it was.
                if (NoSpace.message(e.getMessage())) {
                    throw new LogFullException("the log in " + dir + " has no room on its disk (" + e.getMessage()
                            + "): it is full until a trim or the disk frees space; the append changed nothing", e);
                }
                throw new UncheckedIOException("append to the log in " + dir + " failed and changed nothing", e);
            } finally {
                lock.readLock().unlock();
            }
        }
    }

    private List<LogEntry> number(List<ColorBatch> batches, long[] firsts) {
        long[] positions = new long[config.colors()];
        for (int c = 0; c < positions.length; c++) {
            positions[c] = next.get(c);
        }
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            ColorBatch b = batches.get(i);
            firsts[i] = positions[b.color()];
            for (byte[] r : b.records()) {
                entries.add(new LogEntry(b.color(), positions[b.color()]++, r));
            }
        }
        return entries;
    }

    /**
     * Writes one frame at the end of the active segment and forces it; on failure cuts the segment
     * back so no partial frame stays behind a later one.
     *
     * @return the file offset of the frame
     */
    private long write(ByteBuffer frame, boolean mayRoll) throws IOException {
        if (mayRoll && active.size > active.dataStart
                && active.size + frame.remaining() > config.segmentBytes()) {
            roll(active.sequence + 1);
        }
        long start = active.size;
        try {
            for (long at = start; frame.hasRemaining(); ) {
                at += active.channel.write(frame, at);
            }
            active.channel.force(false);
        } catch (IOException e) {
            active.channel.truncate(start);
            throw e;
        }
        active.size = start + frame.limit();
        return start;
    }

    private void publish(List<LogEntry> entries, long frameStart) {
        long at = frameStart + SegmentFormat.FRAME_HEADER_BYTES + 1 + 4;
        for (LogEntry e : entries) {
            at += SegmentFormat.RECORD_HEADER_BYTES;
            index.get(e.color()).put(e.position(), new RecordLocation(active, at, e.payload().length));
            at += e.payload().length;
            active.ends[e.color()] = e.position() + 1;
            next.set(e.color(), e.position() + 1);
        }
    }

    /** Starts segment {@code sequence} with the current state, durably, and makes it active. */
    private void roll(long sequence) throws IOException {
        long[] firsts = new long[config.colors()];
        long[] nexts = new long[config.colors()];
        for (int c = 0; c < firsts.length; c++) {
            firsts[c] = first.get(c);
            nexts[c] = next.get(c);
        }
        Segment segment = Segment.create(dir, config.colors(), sequence, SegmentFormat.stateFrame(firsts, nexts));
        segments.put(sequence, segment);
        active = segment;
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
            long end = next.get(color);
            LogBounds.checkRead(color, from, maxRecords, maxBytes, first.get(color), end);
            List<LogEntry> out = new ArrayList<>((int) Math.min(Math.min(maxRecords, end - from), 1024));
            long bytes = 0;
            for (var e : index.get(color).subMap(from, true, end, false).entrySet()) {
                if (!LogBounds.fits(out.size(), bytes, e.getValue().length(), maxRecords, maxBytes)) {
                    break;
                }
                bytes += e.getValue().length();
                out.add(new LogEntry(color, e.getKey(), readPayload(e.getValue())));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    private byte[] readPayload(RecordLocation at) {
        ByteBuffer buf = ByteBuffer.allocate(at.length());
        try {
            while (buf.hasRemaining()) {
                if (at.segment().channel.read(buf, at.offset() + buf.position()) < 0) {
                    throw new IOException("unexpected end of " + at.segment().path + " at " + at.offset());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the log in " + dir + " failed", e);
        }
        return buf.array();
    }

    @Override
    public void trim(int color, long upTo) {
        config.checkColor(color);
        synchronized (writeMutex) {
            lock.writeLock().lock();
            try {
                LogBounds.checkOpen(closed, kind());
                if (!LogBounds.checkTrim(color, upTo, first.get(color), next.get(color))) {
                    return;
                }
                write(SegmentFormat.trimFrame(color, upTo), false);
                first.set(color, upTo);
                index.get(color).headMap(upTo).clear();
                dropTrimmedSegments();
                noteOldestHolders();
            } catch (IOException e) {
                throw new UncheckedIOException("trim of the log in " + dir + " failed", e);
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    /** Deletes the oldest segments while every record in them is trimmed; never the active one. */
    private void dropTrimmedSegments() throws IOException {
        boolean dropped = false;
        for (Segment oldest = segments.firstEntry().getValue(); oldest != active && fullyTrimmed(oldest);
                oldest = segments.firstEntry().getValue()) {
            segments.remove(oldest.sequence);
            oldest.channel.close();
            Files.delete(oldest.path);
            dropped = true;
        }
        if (dropped) {
            Segment.syncDirectory(dir);
        }
    }

    private boolean fullyTrimmed(Segment s) {
        for (int c = 0; c < s.ends.length; c++) {
            if (s.ends[c] > first.get(c)) {
                return false;
            }
        }
        return true;
    }

    /** The segment files' sizes; the disk is the only bound, so {@link #capacityBytes()} keeps its default. */
    @Override
    public long bytesUsed() {
        long sum = 0;
        for (Segment s : segments.values()) {
            sum += s.size;
        }
        return sum;
    }

    @Override
    public long firstPosition(int color) {
        config.checkColor(color);
        return first.get(color);
    }

    @Override
    public long nextPosition(int color) {
        config.checkColor(color);
        return next.get(color);
    }

    @Override
    public String kind() {
        return "segment";
    }

    @Override
    public String description() {
        return "pure-Java segment-file store in " + dir.toAbsolutePath();
    }

    @Override
    public LogStoreConfig config() {
        return config;
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Segment s : segments.values()) {
                s.channel.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("closing the log in " + dir + " failed", e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** One open segment file; {@code ends[c]} is one past the last position of color c in it. */
    static final class Segment {
        final long sequence;
        final Path path;
        final FileChannel channel;
        final long[] ends;
        /** Where the first frame after the state frame goes; a segment this long holds no records. */
        long dataStart;
        /** Written by the appender, read by {@link #bytesUsed()} on other threads. */
        volatile long size;

        Segment(long sequence, Path path, FileChannel channel, int colors) {
            this.sequence = sequence;
            this.path = path;
            this.channel = channel;
            this.ends = new long[colors];
        }

        static Path pathOf(Path dir, long sequence) {
            // Locale.ROOT: a default locale with other digits (Arabic, Persian, Thai) would name a
            // file that recovery's ASCII pattern never finds again.
            return dir.resolve(String.format(Locale.ROOT, "segment-%020d.log", sequence));
        }

        static Segment create(Path dir, int colors, long sequence, ByteBuffer stateFrame) throws IOException {
            Path path = pathOf(dir, sequence);
            FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            ByteBuffer header = SegmentFormat.header(colors, sequence);
            long size = header.remaining() + stateFrame.remaining();
            try {
                for (long at = 0; header.hasRemaining() || stateFrame.hasRemaining(); ) {
                    at += ch.write(header.hasRemaining() ? header : stateFrame, at);
                }
                ch.force(true);
                syncDirectory(dir);
            } catch (IOException e) {
                // A full disk, most likely: the half-written segment goes, so a retry creates it anew
                // and recovery never meets a torn header.
                try {
                    ch.close();
                    Files.deleteIfExists(path);
                    syncDirectory(dir);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            Segment s = new Segment(sequence, path, ch, colors);
            s.dataStart = size;
            s.size = size;
            return s;
        }

        static void syncDirectory(Path dir) throws IOException {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        }
    }
}
