package ostore.ring.log;

import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for tests that need llpl: without libpmemobj they skip, unless
 * {@code ostore.test.requireLlpl=true} (set by {@code bin/test} and CI), in which case they fail, so a
 * machine that has the native packages never silently skips the llpl path.
 */
final class LlplRequirement {
    static final String PROPERTY = "ostore.test.requireLlpl";

    private LlplRequirement() {}

    static void assumeLlpl() {
        Optional<String> problem = LogStores.llplProblem();
        if (problem.isPresent() && Boolean.getBoolean(PROPERTY)) {
            Assertions.fail(PROPERTY + " is set but llpl cannot load: " + problem.get());
        }
        Assumptions.assumeTrue(problem.isEmpty(), () -> "llpl test skipped: " + problem.orElseThrow());
    }
}
