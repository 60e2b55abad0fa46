package ostore.archive.codec;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that need ISA-L. Where it does not load they are skipped with the reason, unless
 * {@code -Dostore.test.requireIsal=true} (set by CI through {@code -Dtest.jvm.extra}), where they
 * fail: a CI machine that silently lost ISA-L would otherwise pass without testing it.
 */
final class IsalRequirement {
    static final String PROPERTY = "ostore.test.requireIsal";

    private IsalRequirement() {}

    static void require() {
        if (Isal.problem().isEmpty()) {
            return;
        }
        String why = "ISA-L cannot load: " + Isal.problem().get();
        if (Boolean.getBoolean(PROPERTY)) {
            fail(why + " (and " + PROPERTY + "=true)");
        }
        Assumptions.abort(why + "; skipped (set -D" + PROPERTY + "=true to fail instead)");
    }
}
