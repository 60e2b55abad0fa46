package ostore.ring.bft;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import ostore.crypto.Aguid;
import ostore.crypto.PublicKey;

/**
 * The ring's membership and protocol parameters; every replica must hold the same one.
 *
 * @param epoch the configuration's number; results and certificates name it, so keys can change later
 * @param f the number of Byzantine replicas tolerated; the ring has exactly 3f+1 replicas
 * @param replicas replica i at index i
 * @param colors how many independently ordered groups of objects there are
 */
public record RingConfig(long epoch, int f, List<ReplicaAddress> replicas, int colors, Params params) {
    /** The largest frame a replica accepts: bounds memory per message before a signature is checked. */
    public static final int MAX_FRAME_BYTES = 64 << 20;
    /** Batches carry at most this many updates, so store positions can pack (seqno, index). */
    public static final int MAX_BATCH_LIMIT = 1 << 16;

    /**
     * @param maxBatchSize updates per batch at most
     * @param batchWaitMicros how long the primary holds an unfilled batch open
     * @param checkpointInterval batches between checkpoints (K)
     * @param watermarkWindow sequence numbers a color may run ahead of its stable checkpoint (L)
     * @param viewChangeTimeoutMicros how long a known request may wait to execute before the
     *     primary is suspected; doubles with every view change that does not bring progress
     * @param maxSkewMicros how far a batch timestamp may be from a backup's clock
     * @param retainedBelowStable executed batches each color keeps below its stable checkpoint, so
     *     that a replica that fell behind catches up from the log; one further behind installs a
     *     store snapshot. Small values make replicas fall back on snapshots sooner (simulations)
     * @param maxBatchesInFlight batches of one color the primary has proposed and not yet executed,
     *     at most: past that it lets updates gather into the next batch rather than proposing at
     *     once, so batches grow with load and the per-batch cost (about 36 signature checks over a
     *     ring of four) is shared by more updates. The primary's own pacing: replicas need not agree
     *     on it, so it is not a ring-file parameter.
     */
    public record Params(int maxBatchSize, long batchWaitMicros, int checkpointInterval, int watermarkWindow,
            long viewChangeTimeoutMicros, long maxSkewMicros, int retainedBelowStable, int maxBatchesInFlight) {
        /** Batches kept below the stable checkpoint unless a ring says otherwise. */
        public static final int RETAINED_BELOW_STABLE = 256;
        /**
         * The primary's default pacing: one batch per color in flight. On two cores, where the
         * per-batch cost (signatures, log syncs) bounds throughput, 16 clients on one color ran
         * 82 updates/s at 7.6 updates per batch with one in flight, 62/s at 4.2 with two, 48/s at
         * 1.2 with four (docs/benchmarks.md); more cores or more colors may want more.
         */
        public static final int DEFAULT_BATCHES_IN_FLIGHT = 1;
        public static final Params DEFAULT = new Params(256, 1_000, 16, 64, 2_000_000, 5_000_000);

        /** With the default {@link #RETAINED_BELOW_STABLE} and {@link #DEFAULT_BATCHES_IN_FLIGHT}. */
        public Params(int maxBatchSize, long batchWaitMicros, int checkpointInterval, int watermarkWindow,
                long viewChangeTimeoutMicros, long maxSkewMicros) {
            this(maxBatchSize, batchWaitMicros, checkpointInterval, watermarkWindow, viewChangeTimeoutMicros,
                    maxSkewMicros, RETAINED_BELOW_STABLE);
        }

        /** With {@link #DEFAULT_BATCHES_IN_FLIGHT}, or the watermark window if that is smaller. */
        public Params(int maxBatchSize, long batchWaitMicros, int checkpointInterval, int watermarkWindow,
                long viewChangeTimeoutMicros, long maxSkewMicros, int retainedBelowStable) {
            this(maxBatchSize, batchWaitMicros, checkpointInterval, watermarkWindow, viewChangeTimeoutMicros,
                    maxSkewMicros, retainedBelowStable, Math.min(DEFAULT_BATCHES_IN_FLIGHT, watermarkWindow));
        }

        public Params {
            if (retainedBelowStable < 0) {
                throw new IllegalArgumentException("retainedBelowStable (" + retainedBelowStable + ") must be >= 0");
            }
            if (maxBatchSize < 1 || maxBatchSize > MAX_BATCH_LIMIT) {
                throw new IllegalArgumentException("maxBatchSize (" + maxBatchSize + ") must be in 1.." + MAX_BATCH_LIMIT);
            }
            if (batchWaitMicros < 0) {
                throw new IllegalArgumentException("batchWaitMicros (" + batchWaitMicros + ") must be >= 0");
            }
            if (checkpointInterval < 1) {
                throw new IllegalArgumentException("checkpointInterval (" + checkpointInterval + ") must be >= 1");
            }
            // Two intervals, so the primary keeps proposing while the last checkpoint stabilizes.
            if (watermarkWindow < 2 * checkpointInterval || watermarkWindow % checkpointInterval != 0) {
                throw new IllegalArgumentException("watermarkWindow (" + watermarkWindow
                        + ") must be a multiple of checkpointInterval (" + checkpointInterval + ") and at least twice it");
            }
            if (viewChangeTimeoutMicros < 1) {
                throw new IllegalArgumentException("viewChangeTimeoutMicros (" + viewChangeTimeoutMicros + ") must be >= 1");
            }
            if (maxSkewMicros < 0) {
                throw new IllegalArgumentException("maxSkewMicros (" + maxSkewMicros + ") must be >= 0");
            }
            if (maxBatchesInFlight < 1 || maxBatchesInFlight > watermarkWindow) {
                throw new IllegalArgumentException("maxBatchesInFlight (" + maxBatchesInFlight
                        + ") must be in 1..watermarkWindow (" + watermarkWindow + ")");
            }
        }
    }

    public RingConfig {
        Objects.requireNonNull(params, "params");
        replicas = List.copyOf(replicas);
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch (" + epoch + ") must be >= 0");
        }
        if (f < 0) {
            throw new IllegalArgumentException("f (" + f + ") must be >= 0 (f = 0 is a ring of one, which tolerates no fault)");
        }
        if (replicas.size() != 3 * f + 1) {
            throw new IllegalArgumentException("a ring with f (" + f + ") needs " + (3 * f + 1) + " replicas, not "
                    + replicas.size());
        }
        if (colors < 1 || colors > 256) {
            throw new IllegalArgumentException("colors (" + colors + ") must be in 1..256: an AGUID byte picks one");
        }
        Set<PublicKey> keys = new HashSet<>();
        for (int i = 0; i < replicas.size(); i++) {
            ReplicaAddress r = replicas.get(i);
            if (r.id() != i) {
                throw new IllegalArgumentException("replica at index " + i + " has id " + r.id());
            }
            if (!keys.add(r.key())) {
                throw new IllegalArgumentException("replica " + i + " repeats the key " + r.key());
            }
        }
    }

    public int n() {
        return replicas.size();
    }

    /** 2f+1: any two quorums share a correct replica. */
    public int quorum() {
        return 2 * f + 1;
    }

    /** f+1: at least one of them is correct. */
    public int weakQuorum() {
        return f + 1;
    }

    public int primary(long view) {
        return (int) Math.floorMod(view, (long) n());
    }

    public int colorOf(Aguid aguid) {
        return Byte.toUnsignedInt(aguid.hash().byteAt(0)) % colors;
    }

    public PublicKey key(int id) {
        return replicas.get(id).key();
    }

    public List<PublicKey> keys() {
        return replicas.stream().map(ReplicaAddress::key).toList();
    }
}
