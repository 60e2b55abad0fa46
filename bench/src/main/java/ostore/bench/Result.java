package ostore.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One measured row of the end-to-end benchmark, whatever ran it: ostore's ring, etcd, or a restore
 * from the archive. Every driver builds its rows here from raw per-operation latencies, so
 * percentiles, rates and CPU per operation are computed one way for ostore and for its peers, and
 * the report can set them side by side.
 *
 * <p>A driver runs in its own JVM and prints each row as one {@link #toLine() line} starting with
 * {@code result }; the suite that started it {@link #parse parses} it back.
 *
 * @param system what was measured: {@code ostore} or {@code etcd}
 * @param workload the workload letter and variant: {@code a}, {@code b}, {@code c-latest},
 *     {@code c-old}, {@code d}, {@code e-all-up}, {@code e-m-down}, ...
 * @param op what one operation was ({@code replace}, {@code txn}, {@code get}, {@code restore}, ...)
 * @param payloadBytes bytes written or read per operation
 * @param ops measured operations (attempts, commits and aborts together)
 * @param aborts measured operations whose predicate failed (contention), counted in {@code ops}
 * @param wallSeconds wall time of the measured span
 * @param cpuSeconds CPU of every process taking part over the measured span; NaN if unknown
 * @param gc the GC pauses of the measuring JVM over the span, or {@code null} when not recorded
 */
public record Result(String system, String workload, String op, long payloadBytes, int clients, long ops,
        long aborts, double p5Ms, double p50Ms, double p95Ms, double p99Ms, double maxMs, double wallSeconds,
        double cpuSeconds, GcPauses.Summary gc) {
    public static final String PREFIX = "result ";

    public Result {
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(op, "op");
        if (ops < 1 || aborts < 0 || aborts > ops || clients < 1 || !(wallSeconds > 0)) {
            throw new IllegalArgumentException("a result needs ops >= 1, 0 <= aborts <= ops, clients >= 1 and a"
                    + " positive wall time: ops " + ops + ", aborts " + aborts + ", clients " + clients + ", wall "
                    + wallSeconds + " s");
        }
    }

    /**
     * The row for {@code perClient} measured latencies (nanoseconds, any order), of which
     * {@code aborts} were aborts, over {@code wallNanos} of wall time and {@code cpuNanos} of CPU
     * (negative: unknown).
     */
    public static Result of(String system, String workload, String op, long payloadBytes, int clients,
            List<long[]> perClient, long aborts, long wallNanos, long cpuNanos, GcPauses.Summary gc) {
        long[] all = perClient.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        if (all.length == 0) {
            throw new IllegalArgumentException("no measured operations to summarize");
        }
        return new Result(system, workload, op, payloadBytes, clients, all.length, aborts,
                percentileMs(all, 0.05), percentileMs(all, 0.50), percentileMs(all, 0.95), percentileMs(all, 0.99),
                all[all.length - 1] / 1e6, wallNanos / 1e9, cpuNanos < 0 ? Double.NaN : cpuNanos / 1e9, gc);
    }

    /** Nearest-rank percentile ({@code q} in (0, 1]) of sorted nanosecond samples, in milliseconds. */
    public static double percentileMs(long[] sorted, double q) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] / 1e6;
    }

    /** Operations completed per second, aborts included. */
    public double opsPerSecond() {
        return ops / wallSeconds;
    }

    /** Operations that took effect per second (aborts left out). */
    public double commitsPerSecond() {
        return (ops - aborts) / wallSeconds;
    }

    /** The share of operations that aborted, 0 to 1. */
    public double abortRate() {
        return (double) aborts / ops;
    }

    /** CPU milliseconds per operation (NaN if the CPU was not measured). */
    public double cpuMsPerOp() {
        return cpuSeconds * 1e3 / ops;
    }

    /** Payload megabytes (10^6 bytes) moved per second. */
    public double megabytesPerSecond() {
        return payloadBytes * (double) (ops - aborts) / wallSeconds / 1e6;
    }

    /** This row as one line of {@code key=value} fields after {@link #PREFIX}, values URL-encoded. */
    public String toLine() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("system", system);
        f.put("workload", workload);
        f.put("op", op);
        f.put("payload", Long.toString(payloadBytes));
        f.put("clients", Integer.toString(clients));
        f.put("ops", Long.toString(ops));
        f.put("aborts", Long.toString(aborts));
        f.put("p5", num(p5Ms));
        f.put("p50", num(p50Ms));
        f.put("p95", num(p95Ms));
        f.put("p99", num(p99Ms));
        f.put("max", num(maxMs));
        f.put("wall", num(wallSeconds));
        f.put("cpu", num(cpuSeconds));
        if (gc != null) {
            f.put("gc", gc.collector());
            f.put("gc.nanos", String.join(",", gc.pauseNanos().stream().map(String::valueOf).toList()));
        }
        StringBuilder line = new StringBuilder(PREFIX);
        f.forEach((k, v) -> line.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append(' '));
        return line.toString().stripTrailing();
    }

    /** Parses a line written by {@link #toLine()}; throws {@link IllegalArgumentException} naming what is wrong. */
    public static Result parse(String line) {
        Map<String, String> f = Fields.parse(line, PREFIX, "result");
        try {
            String nanos = f.containsKey("gc") ? Fields.need(f, "gc.nanos", "result", line) : "";
            GcPauses.Summary gc = f.containsKey("gc")
                    ? new GcPauses.Summary(f.get("gc"), nanos.isEmpty() ? List.of()
                            : java.util.Arrays.stream(nanos.split(",")).map(Long::valueOf).toList())
                    : null;
            return new Result(Fields.need(f, "system", "result", line), Fields.need(f, "workload", "result", line), Fields.need(f, "op", "result", line),
                    Long.parseLong(Fields.need(f, "payload", "result", line)), Integer.parseInt(Fields.need(f, "clients", "result", line)),
                    Long.parseLong(Fields.need(f, "ops", "result", line)), Long.parseLong(Fields.need(f, "aborts", "result", line)), dbl(f, "p5", line), dbl(f, "p50", line),
                    dbl(f, "p95", line), dbl(f, "p99", line), dbl(f, "max", line), dbl(f, "wall", line), dbl(f, "cpu", line), gc);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a number in this result line does not parse (" + e.getMessage()
                    + "): " + line, e);
        }
    }


    private static double dbl(Map<String, String> f, String key, String line) {
        return Double.parseDouble(Fields.need(f, key, "result", line));
    }

    private static String num(double v) {
        return Double.toString(v); // exact: parses back to the same double (NaN included)
    }
}
