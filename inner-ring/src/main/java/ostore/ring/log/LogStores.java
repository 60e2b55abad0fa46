package ostore.ring.log;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses and opens the log store for a data directory, and says which in one log line. The llpl
 * pool lives at {@code <dir>/log.pool}, the segment files under {@code <dir>/segments/}.
 *
 * <p>The JVM must run with {@code --enable-native-access=ALL-UNNAMED} (llpl calls
 * {@code System.load}, and this class probes libpmemobj through the FFM API) and, until llpl stops
 * using {@code sun.misc.Unsafe}, {@code --sun-misc-unsafe-memory-access=allow}; without them JDK 25
 * prints warnings and later JDKs refuse.
 */
public final class LogStores {
    /** System property that forces a store: {@code llpl}, {@code segment} or {@code auto}. */
    public static final String PROPERTY = "ostore.log.store";
    static final String POOL_FILE = "log.pool";
    static final String SEGMENT_DIR = "segments";
    private static final String PMEMOBJ = "libpmemobj.so.1";
    private static final System.Logger LOG = System.getLogger(LogStores.class.getName());

    /** Which store to use; {@link #AUTO} keeps an existing store, else takes llpl when it loads. */
    public enum Preference {
        AUTO("auto"),
        LLPL("llpl"),
        SEGMENT("segment");

        private final String text;

        Preference(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        public static Preference parse(String text) {
            for (Preference p : values()) {
                if (p.text.equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            throw new IllegalArgumentException(
                    PROPERTY + " (" + text + ") must be one of llpl, segment, auto");
        }
    }

    private LogStores() {}

    /** Opens with {@link LogStoreConfig#DEFAULT}. */
    public static LogStore open(Path dir, Preference preference) {
        return open(dir, preference, LogStoreConfig.DEFAULT);
    }

    /**
     * Opens the store in {@code dir}. The system property {@value #PROPERTY}, when set, overrides
     * {@code preference}.
     *
     * @throws IllegalStateException if llpl is required but cannot load, or the directory holds a
     *     store of the other kind than the one required
     */
    public static LogStore open(Path dir, Preference preference, LogStoreConfig config) {
        String forced = System.getProperty(PROPERTY);
        Preference effective = forced == null ? preference : Preference.parse(forced);
        Path pool = dir.resolve(POOL_FILE);
        Path segments = dir.resolve(SEGMENT_DIR);
        Optional<String> llplProblem = llplProblem();
        String choice = choose(effective, Files.exists(pool), hasSegments(segments), llplProblem, dir);
        LogStore store;
        if (choice.equals("llpl")) {
            store = openLlpl(dir, pool, config);
            LOG.log(System.Logger.Level.INFO, "shared log: " + store.description());
        } else {
            store = SegmentLogStore.open(segments, config);
            String why = llplProblem.map(p -> "libpmemobj not usable: " + p)
                    .orElse(effective == Preference.SEGMENT ? "chosen by preference" : "existing store");
            LOG.log(System.Logger.Level.INFO, "shared log: " + store.description() + " (" + why + ")");
        }
        return store;
    }

    /**
     * The whole decision, from what is on disk and whether llpl loads, so that every branch can be
     * exercised on a machine where llpl does load.
     *
     * @param problem why llpl cannot load, or empty
     * @return {@code "llpl"} or {@code "segment"}
     */
    static String choose(Preference p, boolean havePool, boolean haveSegments, Optional<String> problem,
            Path dir) {
        if (havePool && haveSegments) {
            throw new IllegalStateException(dir + " holds both an llpl pool and log segments; keep one");
        }
        if (p == Preference.LLPL && haveSegments || p == Preference.SEGMENT && havePool) {
            throw new IllegalStateException(dir + " holds " + (havePool ? "an llpl" : "a segment")
                    + " log but the " + p.text() + " store was required; a log never changes store in place");
        }
        if (p == Preference.SEGMENT || haveSegments) {
            return "segment";
        }
        if (problem.isPresent() && (p == Preference.LLPL || havePool)) {
            throw new IllegalStateException("the llpl log store cannot load"
                    + (havePool ? " and " + dir.resolve(POOL_FILE) + " needs it" : "") + ": " + problem.get());
        }
        return problem.isPresent() ? "segment" : "llpl";
    }

    private static LogStore openLlpl(Path dir, Path pool, LogStoreConfig config) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + dir, e);
        }
        return LlplLogStore.open(pool, config);
    }

    private static boolean hasSegments(Path segments) {
        try (var s = Files.list(segments)) {
            return s.findAny().isPresent();
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + segments, e);
        }
    }

    /** Why llpl cannot be used here, or empty if it loads; checked once per JVM. */
    public static Optional<String> llplProblem() {
        return Probe.PROBLEM;
    }

    private static final class Probe {
        static final Optional<String> PROBLEM = probe();

        private static Optional<String> probe() {
            try {
                SymbolLookup.libraryLookup(PMEMOBJ, Arena.global());
            } catch (IllegalArgumentException | IllegalCallerException e) {
                return Optional.of(PMEMOBJ + " not found (" + e.getMessage() + ")");
            }
            try {
                Class.forName("com.intel.pmem.llpl.TransactionalHeap", true, LogStores.class.getClassLoader());
                return Optional.empty();
            } catch (ClassNotFoundException | LinkageError e) {
                return Optional.of("llpl did not load (" + e + ")");
            }
        }
    }
}
