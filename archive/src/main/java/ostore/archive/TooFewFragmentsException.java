package ostore.archive;

import ostore.crypto.Aguid;

/** A stripe had fewer than k verified fragments reachable, so the version cannot be rebuilt. */
public final class TooFewFragmentsException extends ArchiveException {
    private static final long serialVersionUID = 1L;

    private final transient Aguid aguid;
    private final long seq;
    private final long stripe;
    private final int good;
    private final int needed;

    public TooFewFragmentsException(Aguid aguid, long seq, long stripe, int good, int needed, String detail) {
        super("cannot rebuild stripe " + stripe + " of " + aguid + " seq " + seq + ": " + good
                + " good fragments found, " + needed + " needed" + (detail.isEmpty() ? "" : " (" + detail + ")"));
        this.aguid = aguid;
        this.seq = seq;
        this.stripe = stripe;
        this.good = good;
        this.needed = needed;
    }

    public Aguid aguid() {
        return aguid;
    }

    /** The seq whose archived bytes the stripe holds (an earlier one for deduplicated blocks). */
    public long seq() {
        return seq;
    }

    public long stripe() {
        return stripe;
    }

    public int good() {
        return good;
    }

    public int needed() {
        return needed;
    }
}
