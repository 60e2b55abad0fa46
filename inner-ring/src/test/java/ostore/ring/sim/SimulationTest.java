package ostore.ring.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The inner ring's main test: many seeded runs of the whole ring under faults, each checked for
 * agreement, validity, linearizability and liveness. {@code -Dostore.sim.seeds=N} runs N seeds
 * (default {@value #DEFAULT_SEEDS}); {@code -Dostore.sim.first=S} starts at seed S;
 * {@code -Dostore.sim.only=TEXT} runs only the seeds whose scenario name contains TEXT (for
 * example {@code small-log} or {@code f2}); a failing seed prints one line that replays it through
 * {@link #replay}.
 */
class SimulationTest {
    static final int DEFAULT_SEEDS = 200;
    static final long DEFAULT_FIRST_SEED = 1;

    @Test
    void manySeedsKeepEveryProperty() {
        int seeds = Integer.getInteger("ostore.sim.seeds", DEFAULT_SEEDS);
        long first = Long.getLong("ostore.sim.first", DEFAULT_FIRST_SEED);
        String only = System.getProperty("ostore.sim.only", "");
        List<String> failures = new ArrayList<>();
        for (long seed = first; seed < first + seeds; seed++) {
            if (!Scenario.forSeed(seed).name().contains(only)) {
                continue;
            }
            try {
                Simulation.run(seed, CoreReplica.factory());
            } catch (SimulationFailure e) {
                failures.add(replayLine(seed) + "\n  " + firstLine(e));
                System.out.println(replayLine(seed) + "\n" + e.getMessage());
            }
        }
        System.out.println("forged STATE frames sent by Byzantine replicas: "
                + World.FORGED_STATES_TOTAL.get() + " (" + World.FORGED_CHAINS_TOTAL.get()
                + " chained from the receiver's real state); forged SNAPSHOT pages: "
                + World.FORGED_SNAPSHOTS_TOTAL.get());
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + seeds + " seeds failed:\n" + String.join("\n", failures));
        }
    }

    /**
     * Seeds that found bugs in longer runs than the default suite's, as those runs drew them, kept
     * in every run: 2101 left versions uncertified for good in a ring that keeps no history below
     * its checkpoints, and 7301 had a new primary propose at a seqno it had committed (both drawn
     * before small logs and storage faults existed); 586 (drawn with them) left a replica whose
     * small log waited for room unable to send the snapshot requests that would let it trim; 1108
     * broke a lane invariant too strict for a checkpoint deferred while a lower stable checkpoint
     * moved the window past a batch it waited for.
     */
    @Test
    void seedsThatFoundBugsStillPass() {
        for (long seed : new long[] {2101, 7301}) {
            Simulation.run(seed, Scenario.forSeed(seed, false, false), CoreReplica.factory());
        }
        for (long seed : new long[] {586, 1108}) {
            Simulation.run(seed, Scenario.forSeed(seed, true, true), CoreReplica.factory());
        }
    }

    /** Replays one seed: {@code -Dostore.sim.seed=S}; skipped when no seed is given. */
    @Test
    void replay() {
        String seed = System.getProperty("ostore.sim.seed");
        assumeTrue(seed != null, "set -Dostore.sim.seed to replay a seed");
        Simulation.Result r = Simulation.run(Long.parseLong(seed), CoreReplica.factory());
        System.out.println("seed " + seed + " passed: " + r);
    }

    @Test
    void sameSeedGivesTheSameTraceByteForByte() {
        for (long seed : new long[] {7, 8, 11, 27}) {
            assertEquals(Simulation.fingerprint(seed, CoreReplica.factory()),
                    Simulation.fingerprint(seed, CoreReplica.factory()), "trace of seed " + seed);
        }
    }

    static String replayLine(long seed) {
        return "replay: bin/mvn -pl inner-ring -am test -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dtest=SimulationTest#replay -Dostore.sim.seed=" + seed;
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
