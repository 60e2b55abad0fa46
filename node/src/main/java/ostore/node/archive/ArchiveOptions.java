package ostore.node.archive;

import java.time.Duration;
import java.util.Objects;
import ostore.archive.fragment.CodeParams;

/**
 * How a replica archives: the code (every replica of a ring must use the same one, or their
 * manifests differ and the archive stores each version twice), how many versions it archives at
 * once, how long a replica that is not the designated archiver of a version waits before it
 * checks the storage nodes and archives the version itself, and the retry back-off.
 */
public record ArchiveOptions(CodeParams code, int workers, Duration grace, Duration retryMin, Duration retryMax) {
    /** RS(6, 3) with 1 MiB shards, 2 workers, 30 s grace, retries from 1 s doubling to 60 s. */
    public static final ArchiveOptions DEFAULT = new ArchiveOptions(CodeParams.DEFAULT, 2, Duration.ofSeconds(30),
            Duration.ofSeconds(1), Duration.ofSeconds(60));

    public ArchiveOptions {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(retryMin, "retryMin");
        Objects.requireNonNull(retryMax, "retryMax");
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("workers (" + workers + ") must be in 1..64");
        }
        if (grace.isNegative() || retryMin.isNegative() || retryMin.isZero() || retryMax.compareTo(retryMin) < 0) {
            throw new IllegalArgumentException("grace (" + grace + ") must be >= 0 and 0 < retryMin (" + retryMin
                    + ") <= retryMax (" + retryMax + ")");
        }
    }

    /**
     * {@link #DEFAULT}, with the grace period and worker count an operator may set per process
     * ({@code OSTORE_JAVA_OPTS=-Dostore.archive.grace-seconds=N -Dostore.archive.workers=N}). The
     * code is not among them: every replica of a ring must use the same one.
     *
     * @throws IllegalArgumentException naming a property that is not a valid number
     */
    public static ArchiveOptions fromSystemProperties() {
        ArchiveOptions d = DEFAULT;
        long grace = property("ostore.archive.grace-seconds", d.grace().toSeconds());
        long workers = property("ostore.archive.workers", d.workers());
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("ostore.archive.workers (" + workers + ") must be in 1..64");
        }
        return new ArchiveOptions(d.code(), (int) workers, Duration.ofSeconds(grace), d.retryMin(), d.retryMax());
    }

    private static long property(String name, long fallback) {
        String value = System.getProperty(name);
        if (value == null) {
            return fallback;
        }
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) {
                throw new NumberFormatException("negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " (" + value + ") must be a whole number >= 0", e);
        }
    }

    /** The wait before attempt {@code attempts + 1}, after {@code attempts} failures. */
    long backoffMillis(int attempts) {
        long min = retryMin.toMillis();
        long wait = min << Math.min(Math.max(attempts - 1, 0), 20);
        return Math.min(wait, retryMax.toMillis());
    }
}
