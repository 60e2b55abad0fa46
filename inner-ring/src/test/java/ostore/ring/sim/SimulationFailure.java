package ostore.ring.sim;

/**
 * A checker found a run that breaks a property. The message names the checker, the seed, the
 * event step and the evidence, so the one line printed by the runner is enough to start debugging.
 */
final class SimulationFailure extends AssertionError {
    SimulationFailure(String checker, long seed, long step, String evidence) {
        super(checker + " violated (seed " + seed + ", step " + step + "): " + evidence);
    }

    /** The same failure with more context appended (the scenario, the replicas' state, the last events). */
    SimulationFailure(SimulationFailure original, String context) {
        super(original.getMessage() + context, original.getCause());
    }
}
