package ostore.archive.codec;

import java.util.Optional;

/**
 * Picks the fastest {@link CodingLoop} this JVM can run. The vector loop needs the incubating
 * {@code jdk.incubator.vector} module, which a JVM resolves only when started with
 * {@code --add-modules jdk.incubator.vector}, and vectors of at least 16 bytes; without either the
 * table loop is used.
 */
public final class CodingLoops {
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private CodingLoops() {}

    /** The vector loop when it can run here, else the table loop. */
    public static CodingLoop fastest() {
        return vectorProblem().isEmpty() ? new VectorLoop() : new ByteTableLoop();
    }

    /** Why the vector loop cannot run here, or empty if it can. */
    public static Optional<String> vectorProblem() {
        // VectorLoop must not be loaded before the module is known to be there: its class would
        // fail to link.
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()
                ? VectorLoop.problem()
                : Optional.of(VECTOR_MODULE + " not resolved; start java with --add-modules " + VECTOR_MODULE);
    }
}
