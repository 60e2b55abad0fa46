package ostore.ring.sim;

import java.util.ArrayList;
import java.util.List;
import ostore.ring.log.ColorBatch;
import ostore.ring.log.LogEntry;
import ostore.ring.log.LogFullException;
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
     * answers as theirs do. A media with a capacity refuses, as llpl's pool does, an append that
     * would need more units than fit in it ({@link LogFullException}, changing nothing); a unit is
     * freed only once every color has trimmed past all its records.
     */
    public static final class Media {
        private final LogStoreConfig config;
        /** Bytes of units the media holds at most; {@link Long#MAX_VALUE} for no bound. */
        private final long capacityBytes;
        private final long[] first;
        private final List<List<byte[]>> records = new ArrayList<>();
        /** Records whose bytes were damaged on the media, by color and position: their checksum fails. */
        private final java.util.Set<String> damaged = new java.util.HashSet<>();
        /** The units, oldest first. */
        private final java.util.ArrayDeque<Unit> units = new java.util.ArrayDeque<>();

        /**
         * One unit of space: one past the last position of each color in it (0: none), and the
         * bytes of records in it. It takes an extent, or as much as it holds if records overflowed it
         * (a real store gives a frame larger than an extent room of its own size).
         */
        private record Unit(long[] ends, long[] bytes) {
            long size(long extentBytes) {
                return Math.max(extentBytes, bytes[0]);
            }
        }

        public Media(LogStoreConfig config) {
            this(config, Long.MAX_VALUE);
        }

        /** A media that holds at most {@code capacityBytes} of units ({@link LogStoreConfig#extentBytes()} each). */
        public Media(LogStoreConfig config, long capacityBytes) {
            this.config = config;
            this.capacityBytes = capacityBytes;
            this.first = new long[config.colors()];
            for (int c = 0; c < config.colors(); c++) {
                records.add(new ArrayList<>());
            }
        }

        long next(int color) {
            return first[color] + records.get(color).size();
        }

        /**
         * Damages one record still in the log, picked by {@code random} (bit rot, or a write that
         * landed on it): reading it fails its checksum ({@link CorruptRecordException}), as the
         * real stores' CRCs make a read of such a frame fail. @return what was damaged, or empty
         * if the log holds no record
         */
        public java.util.Optional<String> damageOne(java.util.SplittableRandom random) {
            List<Integer> colors = new ArrayList<>();
            for (int c = 0; c < records.size(); c++) {
                if (!records.get(c).isEmpty()) {
                    colors.add(c);
                }
            }
            if (colors.isEmpty()) {
                return java.util.Optional.empty();
            }
            int color = colors.get(random.nextInt(colors.size()));
            long position = first[color] + random.nextInt(records.get(color).size());
            damaged.add(color + "/" + position);
            return java.util.Optional.of("color " + color + " position " + position);
        }

        /** An empty media of the same sizing and capacity: a new disk. */
        public Media blank() {
            return new Media(config, capacityBytes);
        }

        long capacityBytes() {
            return capacityBytes;
        }

        /** Bytes the units take now; see {@link Unit}. */
        long bytesUsed() {
            dropTrimmedUnits();
            long used = 0;
            for (Unit u : units) {
                used += u.size(config.extentBytes());
            }
            return used;
        }

        /** Refuses {@code batches}, changing nothing, if placing them would take the media past its capacity. */
        void checkRoom(List<ColorBatch> batches) {
            if (capacityBytes == Long.MAX_VALUE) {
                return;
            }
            long bytes = 0;
            for (ColorBatch b : batches) {
                for (byte[] r : b.records()) {
                    bytes += r.length;
                }
            }
            long used = bytesUsed();
            Unit last = units.peekLast();
            long after = last == null || last.bytes()[0] >= config.extentBytes()
                    ? used + Math.max(config.extentBytes(), bytes)
                    : used - last.size(config.extentBytes()) + Math.max(config.extentBytes(), last.bytes()[0] + bytes);
            if (after > capacityBytes) {
                throw new LogFullException("the simulated log has no room for " + bytes + " bytes: " + used + " of its "
                        + capacityBytes + " bytes are taken", null);
            }
        }

        /** The batches just appended went into the last unit, or a new one if it was full. */
        void placeInUnit(List<ColorBatch> batches) {
            if (units.isEmpty() || units.peekLast().bytes()[0] >= config.extentBytes()) {
                units.addLast(new Unit(new long[first.length], new long[1]));
            }
            Unit last = units.peekLast();
            for (ColorBatch b : batches) {
                last.ends()[b.color()] = next(b.color());
                for (byte[] r : b.records()) {
                    last.bytes()[0] += r.length;
                }
            }
        }

        /** Forgets the oldest units whose records are all trimmed, as a store frees them; never the last. */
        void dropTrimmedUnits() {
            while (units.size() > 1 && whollyTrimmed(units.peekFirst().ends())) {
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

    /** A read found a record whose checksum fails: the log is damaged, and the replica must not start on it. */
    public static final class CorruptRecordException extends IllegalStateException {
        CorruptRecordException(String message) {
            super(message);
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
        media.checkRoom(batches);
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
    public synchronized long bytesUsed() {
        return media.bytesUsed();
    }

    @Override
    public synchronized long capacityBytes() {
        return media.capacityBytes();
    }

    @Override
    public synchronized boolean holdsOldest(int color) {
        checkColor(color);
        media.dropTrimmedUnits();
        return !media.units.isEmpty() && media.units.peekFirst().ends()[color] > media.first[color];
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
            if (media.damaged.contains(color + "/" + p)) {
                throw new CorruptRecordException("the simulated log is corrupt at color " + color + " position " + p
                        + ": its checksum fails");
            }
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
