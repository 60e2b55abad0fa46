package ostore.ring.sim;

import java.util.ArrayList;
import java.util.List;
import ostore.ring.log.ColorBatch;
import ostore.ring.log.LogEntry;
import ostore.ring.log.LogStore;
import ostore.ring.log.LogStoreConfig;
import ostore.ring.log.TrimmedPositionException;

/**
 * A {@link LogStore} in memory for the simulator. Its durable state lives in a {@link Media}
 * that outlives the store: a crash throws the store (and the replica above it) away and
 * {@link #open} over the same media sees exactly the batches whose {@link #append} returned,
 * which is the contract of every real store (an append that returns is durable).
 *
 * <p>Public only so {@code MemoryLogStoreContractTest} can reach it from the contract's package.
 * Methods are synchronized only so the shared contract test, which appends from several
 * threads, can run against it; the simulator itself calls from one thread.
 */
public final class MemoryLogStore implements LogStore {
    /**
     * What survives a crash: per color, the first readable position and the records from it on;
     * and the units of space the records were appended in, as a real store's extents or segments
     * ({@link LogStoreConfig#extentBytes()} each, shared by all colors), so that {@link #holdsOldest}
     * answers as theirs do.
     */
    public static final class Media {
        private final LogStoreConfig config;
        private final long[] first;
        private final List<List<byte[]>> records = new ArrayList<>();
        /** Per unit, oldest first: one past the last position of each color in it (0: none). */
        private final java.util.ArrayDeque<long[]> units = new java.util.ArrayDeque<>();
        private long bytesInLastUnit;

        public Media(LogStoreConfig config) {
            this.config = config;
            this.first = new long[config.colors()];
            for (int c = 0; c < config.colors(); c++) {
                records.add(new ArrayList<>());
            }
        }

        long next(int color) {
            return first[color] + records.get(color).size();
        }

        /** The batches just appended went into the last unit, or a new one if it was full. */
        void placeInUnit(List<ColorBatch> batches) {
            if (units.isEmpty() || bytesInLastUnit >= config.extentBytes()) {
                units.addLast(new long[first.length]);
                bytesInLastUnit = 0;
            }
            long[] last = units.peekLast();
            for (ColorBatch b : batches) {
                last[b.color()] = next(b.color());
                for (byte[] r : b.records()) {
                    bytesInLastUnit += r.length;
                }
            }
        }

        /** Forgets the oldest units whose records are all trimmed, as a store frees them; never the last. */
        void dropTrimmedUnits() {
            while (units.size() > 1 && whollyTrimmed(units.peekFirst())) {
                units.removeFirst();
            }
        }

        private boolean whollyTrimmed(long[] ends) {
            for (int c = 0; c < ends.length; c++) {
                if (ends[c] > first[c]) {
                    return false;
                }
            }
            return true;
        }
    }

    private final Media media;
    private boolean closed;

    private MemoryLogStore(Media media) {
        this.media = media;
    }

    public static MemoryLogStore open(Media media) {
        return new MemoryLogStore(media);
    }

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public String description() {
        return "simulated in-memory log, " + media.config.colors() + " colors";
    }

    @Override
    public LogStoreConfig config() {
        return media.config;
    }

    @Override
    public synchronized long[] append(List<ColorBatch> batches) {
        checkOpen();
        // Check everything before changing anything: the append is all-or-nothing.
        for (ColorBatch b : batches) {
            checkRecords(b.color(), b.records());
        }
        long[] firsts = new long[batches.size()];
        for (int i = 0; i < batches.size(); i++) {
            ColorBatch b = batches.get(i);
            firsts[i] = media.next(b.color());
            for (byte[] r : b.records()) {
                media.records.get(b.color()).add(r.clone());
            }
        }
        media.placeInUnit(batches);
        return firsts;
    }

    @Override
    public synchronized boolean holdsOldest(int color) {
        checkColor(color);
        media.dropTrimmedUnits();
        return !media.units.isEmpty() && media.units.peekFirst()[color] > media.first[color];
    }

    @Override
    public synchronized List<LogEntry> read(int color, long from, int maxRecords) {
        checkOpen();
        checkColor(color);
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords (" + maxRecords + ") must be >= 1");
        }
        long first = media.first[color];
        long next = media.next(color);
        if (from < first) {
            throw new TrimmedPositionException(color, from, first);
        }
        if (from > next) {
            throw new IllegalArgumentException(
                    "from (" + from + ") is beyond nextPosition (" + next + ") of color " + color);
        }
        List<byte[]> kept = media.records.get(color);
        List<LogEntry> out = new ArrayList<>();
        for (long p = from; p < next && out.size() < maxRecords; p++) {
            out.add(new LogEntry(color, p, kept.get((int) (p - first)).clone()));
        }
        return out;
    }

    @Override
    public synchronized void trim(int color, long upTo) {
        checkOpen();
        checkColor(color);
        long next = media.next(color);
        if (upTo > next) {
            throw new IllegalArgumentException(
                    "upTo (" + upTo + ") is beyond nextPosition (" + next + ") of color " + color);
        }
        long first = media.first[color];
        if (upTo <= first) {
            return;
        }
        media.records.get(color).subList(0, (int) (upTo - first)).clear();
        media.first[color] = upTo;
    }

    @Override
    public synchronized long firstPosition(int color) {
        checkColor(color);
        return media.first[color];
    }

    @Override
    public synchronized long nextPosition(int color) {
        checkColor(color);
        return media.next(color);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the memory log store is closed");
        }
    }

    private void checkColor(int color) {
        if (color < 0 || color >= media.config.colors()) {
            throw new IllegalArgumentException("color (" + color + ") must be in 0.." + (media.config.colors() - 1));
        }
    }

    private void checkRecords(int color, List<byte[]> records) {
        checkColor(color);
        if (records.isEmpty()) {
            throw new IllegalArgumentException("records for color " + color + " must not be empty");
        }
        for (byte[] r : records) {
            if (r.length > media.config.maxRecordBytes()) {
                throw new IllegalArgumentException("record length (" + r.length + ") exceeds maxRecordBytes ("
                        + media.config.maxRecordBytes() + ")");
            }
        }
    }
}
