package ostore.ring.log;

/**
 * Sizing of a log store. {@code colors} is recorded on media when a store is created and must
 * match when it is reopened.
 *
 * @param colors number of colors, 1..256
 * @param maxRecordBytes largest record payload; must hold the largest signed update plus framing
 * @param poolBytes size of the llpl pool file, fixed when the pool is created
 * @param segmentBytes size after which the segment store starts a new segment file, and the most the
 *     llpl store's extents take ({@link #extentBytes()}); the unit in which a trim frees space
 */
public record LogStoreConfig(int colors, int maxRecordBytes, long poolBytes, long segmentBytes) {
    public static final int MAX_COLORS = 256;

    /**
     * The system property that sets the size of new llpl pools in MiB (default 1024). The pool is
     * allocated in full when it is created, so a machine running many logs (tests, or several
     * replicas on one host) may want smaller ones; records are limited to a quarter of it.
     */
    public static final String POOL_MIB_PROPERTY = "ostore.log.pool-mib";

    /** Room for the version store's 32 MiB update limit plus the signed envelope and log framing. */
    public static final int MAX_RECORD_BYTES = 40 << 20;

    /** The smallest pool {@link #forPool} accepts: records of 1 MiB. */
    public static final long MIN_POOL_BYTES = 4L << 20;

    /** {@link #forPool} with the size {@link #POOL_MIB_PROPERTY} asks for (1 GiB if unset). */
    public static final LogStoreConfig DEFAULT = forPool(Long.getLong(POOL_MIB_PROPERTY, 1024) << 20);

    /**
     * The sizing for a pool of {@code poolBytes}: records up to {@link #MAX_RECORD_BYTES} or a
     * quarter of the pool, whichever is less (a smaller pool takes smaller updates; a node refuses
     * at its edge an update its log could not hold), and segments of 64 MiB.
     */
    public static LogStoreConfig forPool(long poolBytes) {
        if (poolBytes < MIN_POOL_BYTES) {
            throw new IllegalArgumentException("a log pool of " + (poolBytes >> 20) + " MiB is too small: at least "
                    + (MIN_POOL_BYTES >> 20) + " MiB (-D" + POOL_MIB_PROPERTY + ")");
        }
        return new LogStoreConfig(MAX_COLORS, (int) Math.min(MAX_RECORD_BYTES, poolBytes / 4), poolBytes, 64L << 20);
    }

    public LogStoreConfig {
        if (colors < 1 || colors > MAX_COLORS) {
            throw new IllegalArgumentException("colors (" + colors + ") must be in 1.." + MAX_COLORS);
        }
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes (" + maxRecordBytes + ") must be >= 1");
        }
        if (poolBytes < 4L * maxRecordBytes) {
            throw new IllegalArgumentException(
                    "poolBytes (" + poolBytes + ") must be >= 4 * maxRecordBytes (" + maxRecordBytes + ")");
        }
        if (segmentBytes < 4096) {
            throw new IllegalArgumentException("segmentBytes (" + segmentBytes + ") must be >= 4096");
        }
    }

    /**
     * The size of the llpl store's extents: {@code segmentBytes}, or a 32nd of the pool if less.
     * Space comes back only an extent at a time, once every color has trimmed past the oldest, so
     * the finer the extents the less a nearly full pool holds that no color needs any more (a
     * 64 MiB pool in 8 extents left one between refusing new updates and full). A record larger
     * than an extent gets an extent of its own size.
     */
    public long extentBytes() {
        return Math.min(segmentBytes, poolBytes / EXTENTS_PER_POOL_MIN);
    }

    private static final long EXTENTS_PER_POOL_MIN = 32;

    void checkColor(int color) {
        if (color < 0 || color >= colors) {
            throw new IllegalArgumentException("color (" + color + ") must be in 0.." + (colors - 1));
        }
    }

    void checkRecords(int color, java.util.List<byte[]> records) {
        checkColor(color);
        if (records.isEmpty()) {
            throw new IllegalArgumentException("records for color " + color + " must not be empty");
        }
        for (byte[] r : records) {
            if (r.length > maxRecordBytes) {
                throw new IllegalArgumentException(
                        "record length (" + r.length + ") exceeds maxRecordBytes (" + maxRecordBytes + ")");
            }
        }
    }
}
