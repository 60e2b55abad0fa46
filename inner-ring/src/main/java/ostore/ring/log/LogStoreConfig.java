package ostore.ring.log;

/**
 * Sizing of a log store. {@code colors} is recorded on media when a store is created and must
 * match when it is reopened.
 *
 * @param colors number of colors, 1..256
 * @param maxRecordBytes largest record payload; must hold the largest signed update plus framing
 * @param poolBytes size of the llpl pool file, fixed when the pool is created
 * @param segmentBytes size after which the segment store starts a new segment file, and the size of
 *     the llpl store's extents (at most an eighth of the pool); the unit in which a trim frees space
 */
public record LogStoreConfig(int colors, int maxRecordBytes, long poolBytes, long segmentBytes) {
    public static final int MAX_COLORS = 256;

    /**
     * The system property that sets the size of new llpl pools in MiB (default 1024). The pool is
     * allocated in full when it is created, so a machine running many logs (tests, or several
     * replicas on one host) may want smaller ones; it must hold four maximum-size records.
     */
    public static final String POOL_MIB_PROPERTY = "ostore.log.pool-mib";

    /** Room for the version store's 32 MiB update limit plus the signed envelope and log framing. */
    public static final LogStoreConfig DEFAULT =
            new LogStoreConfig(MAX_COLORS, 40 << 20, Long.getLong(POOL_MIB_PROPERTY, 1024) << 20, 64L << 20);

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
