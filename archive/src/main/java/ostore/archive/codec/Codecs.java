package ostore.archive.codec;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens the codec for a code: ISA-L when it loads, else pure Java, and says which in one log line
 * per process (again only if a later choice differs, as when a test forces one).
 *
 * <p>The JVM needs {@code --enable-native-access=ALL-UNNAMED} for ISA-L and
 * {@code --add-modules jdk.incubator.vector} for the fast pure-Java loop; without the latter the
 * pure-Java codec uses the table loop, about twenty times slower.
 */
public final class Codecs {
    /** System property that forces a codec: {@code isal}, {@code java} or {@code auto}. */
    public static final String PROPERTY = "ostore.codec";
    private static final System.Logger LOG = System.getLogger(Codecs.class.getName());
    private static final AtomicReference<String> LAST_LOGGED = new AtomicReference<>();

    /** Which codec to use; {@link #AUTO} takes ISA-L when it loads. */
    public enum Preference {
        AUTO("auto"),
        ISAL("isal"),
        JAVA("java");

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
            throw new IllegalArgumentException(PROPERTY + " (" + text + ") must be one of isal, java, auto");
        }
    }

    private Codecs() {}

    /** Opens with the preference of the system property {@value #PROPERTY}, {@code auto} if unset. */
    public static ErasureCodec open(int dataShards, int parityShards) {
        String forced = System.getProperty(PROPERTY);
        return open(dataShards, parityShards, forced == null ? Preference.AUTO : Preference.parse(forced));
    }

    /**
     * Opens a codec for {@code dataShards + parityShards <= 256} shards.
     *
     * @throws IllegalStateException if ISA-L is required and cannot load
     */
    public static ErasureCodec open(int dataShards, int parityShards, Preference preference) {
        CauchyCode.checkParameters(dataShards, parityShards);
        Optional<String> isalProblem = Isal.problem();
        boolean isal = chooseIsal(preference, isalProblem);
        ErasureCodec codec = isal
                ? new IsalCodec(dataShards, parityShards)
                : new ReedSolomon(dataShards, parityShards, CodingLoops.fastest());
        String line = "erasure codec: " + codec.description() + (isal ? "" : " (" + why(preference, isalProblem) + ")");
        if (!line.equals(LAST_LOGGED.getAndSet(line))) {
            LOG.log(System.Logger.Level.INFO, line);
        }
        return codec;
    }

    /**
     * The whole decision, from the preference and whether ISA-L loads, so every branch can be
     * tested on a machine where it does.
     *
     * @param isalProblem why ISA-L cannot load, or empty
     */
    static boolean chooseIsal(Preference preference, Optional<String> isalProblem) {
        if (preference == Preference.ISAL && isalProblem.isPresent()) {
            throw new IllegalStateException(PROPERTY + "=isal but ISA-L cannot load: " + isalProblem.get());
        }
        return preference != Preference.JAVA && isalProblem.isEmpty();
    }

    private static String why(Preference preference, Optional<String> isalProblem) {
        String loop = CodingLoops.vectorProblem().map(p -> "; table loop because " + p).orElse("");
        return (preference == Preference.JAVA ? PROPERTY + "=java" : isalProblem.orElse("")) + loop;
    }
}
