package ostore.bench;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One row the suite asks a driver for, as it travels on the driver's command line:
 * {@code WORKLOAD:CLIENTS:OPS_PER_CLIENT:WARMUP_PER_CLIENT:PAYLOAD_BYTES} (e.g. {@code a:16:50:20:4096}).
 * A driver child gets every row it is to measure at once, so one cluster serves them all and the
 * cost of starting it is paid once; it parses them all before starting anything, so a mistyped
 * row fails the child at once rather than after the rows before it ran.
 *
 * @param workload the workload id ({@code a}, {@code b}, {@code c-latest}, ...)
 * @param clients closed-loop clients, at least 1
 * @param opsPerClient measured operations of each client, at least 1
 * @param warmupPerClient operations of each client before the clock starts, at least 0
 * @param payloadBytes bytes written (or, for reads, prepared and read) per operation, at least 1
 */
public record WorkloadSpec(String workload, int clients, int opsPerClient, int warmupPerClient, int payloadBytes) {
    /** The format, as error messages name it. */
    public static final String FORMAT = "WORKLOAD:CLIENTS:OPS_PER_CLIENT:WARMUP_PER_CLIENT:PAYLOAD_BYTES";

    /**
     * The workloads a SPEC can name: (a) updates on disjoint objects, (b) on one hot object, (c)
     * reads of the latest and of old versions, (d) 2 MiB updates. The archive's workloads (e) have
     * their own command line ({@code ArchiveDriver results}).
     */
    public static final List<String> WORKLOADS = List.of("a", "b", "c-latest", "c-old", "d");

    /**
     * The fewest versions an object of a (c) run is prepared with, so {@code c-old} picks among
     * several even with little or no warm-up.
     */
    public static final int MIN_PREPARED_VERSIONS = 8;

    public WorkloadSpec {
        Objects.requireNonNull(workload, "workload");
        if (workload.isEmpty() || clients < 1 || opsPerClient < 1 || warmupPerClient < 0 || payloadBytes < 1) {
            throw new IllegalArgumentException("a workload spec needs a workload id, clients, ops per client and"
                    + " payload bytes >= 1 and warm-up >= 0: " + workload + ":" + clients + ":" + opsPerClient + ":"
                    + warmupPerClient + ":" + payloadBytes);
        }
    }

    /** Parses {@code text} naming any of {@link #WORKLOADS}; see {@link #parse(String, Set)}. */
    public static WorkloadSpec parse(String text) {
        return parse(text, Set.copyOf(WORKLOADS));
    }

    /**
     * Parses {@code text}; throws {@link IllegalArgumentException} naming the spec and the field
     * that is wrong, or the workloads this driver runs when the id is none of {@code workloads}.
     */
    public static WorkloadSpec parse(String text, Set<String> workloads) {
        Objects.requireNonNull(text, "text");
        String[] f = text.split(":", -1);
        if (f.length != 5) {
            throw new IllegalArgumentException("spec '" + text + "' is not " + FORMAT + ": it has " + f.length
                    + (f.length == 1 ? " field" : " fields") + ", not 5");
        }
        if (!workloads.contains(f[0])) {
            throw new IllegalArgumentException("spec '" + text + "': unknown workload '" + f[0] + "'; this driver runs "
                    + String.join(", ", workloads.stream().sorted().toList()));
        }
        return new WorkloadSpec(f[0], number(text, "CLIENTS", f[1], 1), number(text, "OPS_PER_CLIENT", f[2], 1),
                number(text, "WARMUP_PER_CLIENT", f[3], 0), number(text, "PAYLOAD_BYTES", f[4], 1));
    }

    private static int number(String text, String field, String value, int min) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("spec '" + text + "': " + field + " '" + value
                    + "' is not a whole number", e);
        }
        if (n < min) {
            throw new IllegalArgumentException("spec '" + text + "': " + field + " must be >= " + min + ", not " + n);
        }
        return n;
    }

    /** Whether each operation updates (a, b, d) rather than reads (c-latest, c-old). */
    public boolean updates() {
        return !workload.startsWith("c-");
    }

    /**
     * V, the versions each client's object (or key) gets before a (c) run's clock starts, on ostore
     * and on etcd alike: the warm-up count, at least {@value #MIN_PREPARED_VERSIONS}.
     */
    public int preparedVersions() {
        return Math.max(warmupPerClient, MIN_PREPARED_VERSIONS);
    }

    /** This spec as it is written on a command line: {@code parse(toString())} equals it. */
    @Override
    public String toString() {
        return workload + ":" + clients + ":" + opsPerClient + ":" + warmupPerClient + ":" + payloadBytes;
    }
}
