package ostore.ring.sim;

import java.util.SplittableRandom;
import ostore.ring.bft.RingConfig;
import ostore.ring.bft.fault.ByzantineTamper;

/**
 * What one run does, all of it derived from the seed so that the seed alone replays the run.
 * Sizes are small on purpose: many short runs with varied faults find more than a few long ones.
 *
 * @param name a short label for reports
 * @param faultPhaseMicros how long faults are injected; afterwards the network heals and crashed
 *     replicas restart, and only the Byzantine replicas stay faulty
 * @param quietMicrosMax how long after healing every request must have completed (liveness bound)
 * @param eventsMax a safety bound on events, so a livelock ends the run instead of hanging it
 * @param wipes whether a crash may also lose the replica's disk (its log and version store)
 * @param retainedBelowStable batches peers keep below their stable checkpoint: small in runs that
 *     wipe, so a wiped (or long partitioned) replica is stranded and installs a store snapshot
 * @param hostileClient whether a Byzantine client ({@link HostileClient}) plays its tricks beside
 *     the honest ones; in a run with no other fault no correct replica may then leave view 0
 * @param logBytes the capacity of each replica's log, 0 for one only the (simulated) disk bounds;
 *     a small one, with updates of {@code updateBytes}, makes the replicas share out their logs
 *     and wait for trims as a small llpl pool under large updates does
 * @param updateBytes bytes each honest client's update appends, 0 for a short text
 * @param storageFaults whether the replicas' disks misbehave: now and then a log sync or a store
 *     write takes tens to hundreds of milliseconds (a slow disk), and a crash may leave a damaged
 *     record in the crashed replica's log, which it finds when it starts again (its checksum
 *     fails): it refuses to start on it and is started again on an empty disk, as an operator does
 */
record Scenario(
        String name,
        int f,
        int colors,
        int clients,
        int ownObjects,
        int sharedObjects,
        int opsPerClient,
        double loss,
        double duplication,
        double reorder,
        boolean partitions,
        boolean crashes,
        ByzantineTamper.Behaviour byzantine,
        boolean twins,
        long faultPhaseMicros,
        long quietMicrosMax,
        long eventsMax,
        boolean wipes,
        int retainedBelowStable,
        boolean hostileClient,
        long logBytes,
        int updateBytes,
        boolean storageFaults) {

    /** The kinds of run the default suite rotates through, one chosen per seed. */
    enum Kind {
        CLEAN,
        LOSSY,
        PARTITIONS,
        CRASHES,
        SILENT,
        EQUIVOCATE,
        WRONG_DIGESTS,
        GARBLE,
        STALE,
        MIXED,
        TWINS,
        CRASHES_AND_BYZANTINE,
        /** Only a Byzantine client, on a reliable network: the ring must stay in view 0. */
        HOSTILE_CLIENT
    }

    /**
     * Colors of the simulated ring: several, so a run's few objects spread over lanes that order
     * independently and one lane can sit idle while another is busy. {@code -Dostore.sim.colors=1}
     * replays seeds as the suite ran them before colors (the seed picks the same scenario).
     */
    static final int COLORS = Integer.getInteger("ostore.sim.colors", 3);

    /**
     * Whether a sixth of the runs get small logs ({@link #withSmallLog}); {@code
     * -Dostore.sim.small-logs=false} replays seeds as the suite ran them before small logs.
     */
    static final boolean SMALL_LOGS = Boolean.parseBoolean(System.getProperty("ostore.sim.small-logs", "true"));

    /** Whether a fifth of the runs get misbehaving disks ({@link #withStorageFaults}). */
    static final boolean STORAGE_FAULTS = Boolean.parseBoolean(System.getProperty("ostore.sim.storage-faults", "true"));

    static Scenario forSeed(long seed) {
        return forSeed(seed, SMALL_LOGS, STORAGE_FAULTS);
    }

    /** The scenario of {@code seed} as drawn with or without small logs and storage faults. */
    static Scenario forSeed(long seed, boolean smallLogs, boolean storageFaults) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5ce7a710L);
        Kind kind = Kind.values()[r.nextInt(Kind.values().length)];
        return of(kind, r, smallLogs, storageFaults);
    }

    static Scenario of(Kind kind, SplittableRandom r, boolean smallLogs, boolean storageFaults) {
        // A hostile client's run keeps the network reliable, so a view change there can only be the
        // client's doing; the Byzantine client also plays in lossy runs of the other kinds.
        boolean lossy = kind != Kind.CLEAN && kind != Kind.HOSTILE_CLIENT;
        double loss = lossy ? r.nextInt(0, 15) / 100.0 : 0;
        double duplication = lossy ? r.nextInt(0, 10) / 100.0 : 0;
        double reorder = lossy ? r.nextInt(0, 20) / 100.0 : 0;
        ByzantineTamper.Behaviour byzantine = switch (kind) {
            case SILENT -> ByzantineTamper.Behaviour.SILENT;
            case EQUIVOCATE -> ByzantineTamper.Behaviour.EQUIVOCATE;
            case WRONG_DIGESTS -> ByzantineTamper.Behaviour.WRONG_DIGESTS;
            case GARBLE -> ByzantineTamper.Behaviour.GARBLE;
            case STALE -> ByzantineTamper.Behaviour.STALE;
            case MIXED, CRASHES_AND_BYZANTINE -> ByzantineTamper.Behaviour.MIXED;
            default -> null;
        };
        return new Scenario(kind.name().toLowerCase(java.util.Locale.ROOT), 1, COLORS, 2 + r.nextInt(3),
                1, 1 + r.nextInt(2), 3 + r.nextInt(4), loss, duplication, reorder,
                kind == Kind.PARTITIONS || kind == Kind.CRASHES_AND_BYZANTINE,
                kind == Kind.CRASHES || kind == Kind.CRASHES_AND_BYZANTINE, byzantine, kind == Kind.TWINS,
                2_000_000 + r.nextLong(3_000_000), 60_000_000, 400_000, false, RingConfig.Params.RETAINED_BELOW_STABLE,
                kind == Kind.HOSTILE_CLIENT, 0, 0, false)
                .withWipes(r).withHostileClient(r).withF2(r).withSmallLog(r, smallLogs)
                .withStorageFaults(r, storageFaults);
    }

    /**
     * Crash runs may also wipe disks; drawn after everything else, so every other kind of run,
     * and the rest of a crash run, is what the same seed gave before wipes existed.
     */
    private Scenario withWipes(SplittableRandom r) {
        if (!crashes || !r.nextBoolean()) {
            return this;
        }
        return new Scenario(name + "+wipes", f, colors, clients, ownObjects, sharedObjects, opsPerClient, loss,
                duplication, reorder, partitions, crashes, byzantine, twins, faultPhaseMicros, quietMicrosMax, eventsMax,
                true, r.nextInt(0, 3), hostileClient, logBytes, updateBytes, storageFaults);
    }

    /** A third of the other runs get a Byzantine client too; drawn last, like wipes. */
    private Scenario withHostileClient(SplittableRandom r) {
        if (hostileClient || r.nextInt(3) != 0) {
            return this;
        }
        return new Scenario(name + "+hostile-client", f, colors, clients, ownObjects, sharedObjects, opsPerClient,
                loss, duplication, reorder, partitions, crashes, byzantine, twins, faultPhaseMicros, quietMicrosMax,
                eventsMax, wipes, retainedBelowStable, true, logBytes, updateBytes, storageFaults);
    }

    /**
     * A fifth of the runs use f = 2 (seven replicas), so quorums of 5 and f+1 = 3 are exercised as
     * well as those of four replicas; drawn last, so the rest of each run is what the seed gave before.
     */
    private Scenario withF2(SplittableRandom r) {
        if (r.nextInt(5) != 0) {
            return this;
        }
        return new Scenario(name + "+f2", 2, colors, clients, ownObjects, sharedObjects, opsPerClient, loss,
                duplication, reorder, partitions, crashes, byzantine, twins, faultPhaseMicros, quietMicrosMax,
                eventsMax, wipes, retainedBelowStable, hostileClient, logBytes, updateBytes, storageFaults);
    }

    /**
     * A sixth of the runs give every replica a small log (64 to 256 KiB per replica of the ring)
     * and their honest clients updates of a 64th to a 24th of it, about the proportions of a 64 MiB
     * llpl pool under 2 MiB updates: the replicas refuse new updates, stop logging payloads, stop
     * copying, stop voting and wait for trims in turn, and every property must still hold. Drawn
     * last, so the rest of each run is what the seed gave before.
     */
    private Scenario withSmallLog(SplittableRandom r, boolean drawn) {
        if (r.nextInt(6) != 0 || !drawn) {
            return this;
        }
        // Per replica of the ring, as its protocol records (a NEW-VIEW holds 2f+1 VIEW-CHANGEs) grow with it.
        long log = ((64L + 32 * r.nextInt(7)) << 10) * replicas();
        int update = (int) r.nextLong(log / 64, log / 24);
        return new Scenario(name + "+small-log", f, colors, clients, ownObjects, sharedObjects, opsPerClient, loss,
                duplication, reorder, partitions, crashes, byzantine, twins, faultPhaseMicros, quietMicrosMax,
                eventsMax, wipes, retainedBelowStable, hostileClient, log, update, storageFaults);
    }

    /**
     * A fifth of the runs get misbehaving disks ({@link #storageFaults}); drawn last, so the rest of
     * each run is what the seed gave before. {@code -Dostore.sim.storage-faults=false} replays seeds
     * as the suite ran them before.
     */
    private Scenario withStorageFaults(SplittableRandom r, boolean drawn) {
        if (r.nextInt(5) != 0 || !drawn) {
            return this;
        }
        return new Scenario(name + "+storage-faults", f, colors, clients, ownObjects, sharedObjects, opsPerClient,
                loss, duplication, reorder, partitions, crashes, byzantine, twins, faultPhaseMicros, quietMicrosMax,
                eventsMax, wipes, retainedBelowStable, hostileClient, logBytes, updateBytes, true);
    }

    /**
     * Whether nothing but clients can be at fault in this run: no replica fault, no partition, no
     * lost message (a lossy network can stall a correct primary past the simulator's short timeout),
     * no slow disk (nor can one).
     */
    boolean onlyClientsFaulty() {
        return !partitions && !crashes && byzantine == null && !twins && loss == 0 && !storageFaults;
    }

    int replicas() {
        return 3 * f + 1;
    }

    /** Replicas faulty for the whole run (Byzantine or Twins); crashes may use the rest of f. */
    int permanentFaults() {
        return byzantine != null || twins ? 1 : 0;
    }
}
