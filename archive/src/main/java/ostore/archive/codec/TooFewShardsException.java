package ostore.archive.codec;

/** A decode was asked for with fewer than k shards present: the data cannot be rebuilt. */
public final class TooFewShardsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int present;
    private final int needed;

    TooFewShardsException(int present, int needed, int total) {
        super("cannot decode: " + present + " of " + total + " shards present, " + needed + " needed");
        this.present = present;
        this.needed = needed;
    }

    /** How many shards were present. */
    public int present() {
        return present;
    }

    /** How many are needed (k). */
    public int needed() {
        return needed;
    }
}
