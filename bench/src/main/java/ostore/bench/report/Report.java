package ostore.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import ostore.bench.GcPauses;
import ostore.bench.Result;

/**
 * Turns one run's measurements into the report: the targets first, then ostore beside etcd with
 * their ratios, ostore's own workloads, ostore beside Pond's published figures, where an update's
 * time goes, and the microbenchmarks. Every figure is computed here from the drivers' rows; nothing
 * is typed in except Pond's published figures, which {@code ../shared/design.md} lists.
 *
 * <p>The report goes between {@link #BEGIN} and {@link #END} in its file, so the commentary and
 * the history around it stay; a file without the markers gets them at its top.
 */
final class Report {
    static final String BEGIN = "<!-- bench/run report: begin (generated; edits here are overwritten) -->";
    static final String END = "<!-- bench/run report: end -->";
    static final String PLOT = "benchmarks-latency.png";

    /** The targets. */
    static final double P50_TARGET_MS = 2.0;
    static final double RESTORE_TARGET_MBS = 300.0;
    static final double GC_P999_TARGET_MS = 1.0;

    /** The workloads whose GC pauses the target judges: the load runs (the words), not the archive's. */
    static final List<String> LOAD_RUNS = List.of("a", "b", "c-latest", "c-old", "d");

    private static final Map<String, String> WORKLOADS = Map.of(
            "a", "(a) 4 KiB guarded updates, one object per client",
            "b", "(b) 4 KiB guarded updates, one hot object for all clients",
            "c-latest", "(c) reads of the latest version",
            "c-old", "(c) reads of an old version",
            "d", "(d) 2 MiB guarded updates, one object per client",
            "e-all-up", "(e) restore of a large object, all storage nodes up",
            "e-m-down", "(e) restore of a large object, m storage nodes down",
            "e-small", "(e) restore of a 4 KiB version, m storage nodes down",
            "pond-archive", "archiving one version (erasure-code, hash, store fragments and manifest)");

    /** One ostore row and the etcd row measured at the same point. */
    record Pair(Result ostore, Result etcd) {
        double throughput() {
            return ostore.commitsPerSecond() / etcd.commitsPerSecond();
        }
    }

    private Report() {}

    /** Renders {@code m} into {@code file} (between the markers) and the plot beside it. */
    static void write(Suite.Measured m, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Plot.write(m.results(), file.resolveSibling(PLOT));
        String block = BEGIN + "\n" + render(m) + END + "\n";
        String old = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        Files.writeString(file, splice(old, block), StandardCharsets.UTF_8);
    }

    /** {@code old} with its report block replaced by {@code block}; without one, the block goes after the title. */
    static String splice(String old, String block) {
        int b = old.indexOf(BEGIN);
        int e = old.indexOf(END);
        if (b >= 0 && e > b) {
            int after = e + END.length();
            if (after < old.length() && old.charAt(after) == '\n') {
                after++;
            }
            return old.substring(0, b) + block + old.substring(after);
        }
        if (old.isEmpty()) {
            return "# ostore benchmarks\n\n" + block;
        }
        int title = old.startsWith("# ") ? old.indexOf('\n') + 1 : 0;
        return old.substring(0, title) + "\n" + block + "\n" + old.substring(title);
    }

    static String render(Suite.Measured m) {
        RunInfo i = m.info();
        List<Result> rs = m.results();
        StringBuilder s = new StringBuilder();
        s.append("## Latest `bench/run ").append(i.mode()).append("`: ").append(i.date()).append(", commit ")
                .append(i.commit()).append("\n\n");
        s.append("- machine: ").append(i.machine()).append("\n");
        s.append("- JDK: ").append(i.jdk()).append("; collector in every benchmark JVM: ")
                .append(collectors(rs)).append("\n");
        s.append("- peer: ").append(i.etcd().isEmpty() ? "etcd (version unknown)" : i.etcd())
                .append(", three members on 127.0.0.1, fsync on, started and stopped by the benchmark\n");
        s.append("- load average at the start: ").append(i.load()).append(" (1, 5, 15 min)\n");
        s.append("- ostore: a 4-replica ring (f = 1) in one JVM with its clients, log store: ")
                .append(i.logStore().isEmpty() ? "not reported" : i.logStore()).append("; etcd: three"
                + " members and a client JVM. Both share the same cores and disk; CPU per operation counts"
                + " every process taking part. Closed loop: each client waits for its reply; clocks start when"
                + " every client has warmed up.\n\n");
        if (!m.failures().isEmpty()) {
            s.append("**Parts that failed** (their rows are missing):\n\n");
            m.failures().forEach(f -> s.append("- ").append(f.replace("\n", " ")).append("\n"));
            s.append("\n");
        }
        s.append(targets(rs));
        s.append(ratios(rs));
        s.append(rows("Every row", rs, r -> true));
        s.append(pond(rs, m.phases()));
        s.append(phases(m.phases()));
        s.append(micro(m.micro()));
        // Every table carries its own stamp, so one copied out of the report still says where it is from.
        String stamp = " — " + i.date() + ", commit " + i.commit() + ", " + i.machine().replaceFirst("^([^,]*,[^,]*),.*", "$1");
        return s.toString().lines().map(l -> l.startsWith("### ") ? l + stamp : l)
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static String collectors(List<Result> rs) {
        String c = rs.stream().map(Result::gc).filter(g -> g != null).map(GcPauses.Summary::collector).distinct()
                .collect(Collectors.joining(", "));
        return c.isEmpty() ? "ZGC requested (-XX:+UseZGC), no pauses recorded" : c;
    }

    // ---- targets

    static String targets(List<Result> rs) {
        StringBuilder s = new StringBuilder("### Targets\n\n| target | measured | met |\n| --- | --- | --- |\n");
        Optional<Result> one = best(rs, r -> is(r, "ostore", "a") && r.payloadBytes() == 4096,
                Comparator.comparingInt(Result::clients));
        s.append(target("4 KiB update p50 under 2 ms (ostore, workload a, fewest clients)",
                one.map(r -> fmt("%.2f ms at %d client(s)", r.p50Ms(), r.clients())),
                one.map(r -> r.p50Ms() < P50_TARGET_MS)));
        Optional<Result> ostorePeak = peak(rs, "ostore", "a");
        Optional<Result> etcdPeak = peak(rs, "etcd", "a");
        s.append(target("at least etcd's throughput on workload a (4 BFT replicas against 3 Raft members; each at"
                + " its best client count)", ostorePeak.flatMap(o -> etcdPeak.map(e -> fmt("%,.0f against %,.0f"
                + " updates/s (%d and %d clients): %.2fx", o.commitsPerSecond(), e.commitsPerSecond(), o.clients(),
                e.clients(), o.commitsPerSecond() / e.commitsPerSecond()))),
                ostorePeak.flatMap(o -> etcdPeak.map(e -> o.commitsPerSecond() >= e.commitsPerSecond()))));
        Optional<Result> down = rs.stream().filter(r -> is(r, "ostore", "e-m-down")).findFirst();
        s.append(target("restore over 300 MB/s (large object, m storage nodes down)",
                down.map(r -> fmt("%,.0f MB/s (%s object)", r.megabytesPerSecond(), bytes(r.payloadBytes()))),
                down.map(r -> r.megabytesPerSecond() > RESTORE_TARGET_MBS)));
        Optional<GcPauses.Summary> gc = loadRunPauses(rs);
        s.append(target("p99.9 GC pause under 1 ms (every pause in ostore's load runs, workloads a to d, pooled)",
                gc.map(g -> g.pauses() == 0 ? "no pause recorded in any measured span: not judged"
                        : fmt("%.3f ms over %,d pauses%s (%s; longest %.3f ms)", g.p999Ms(), g.pauses(),
                                g.pauses() < 1000 ? ", so the longest" : "", g.collector(), g.maxMs())),
                gc.filter(g -> g.pauses() > 0).map(g -> g.p999Ms() < GC_P999_TARGET_MS)));
        return s.append("\n").toString();
    }

    /** The GC pauses of ostore's load runs (workloads a to d) pooled, if any row recorded them. */
    static Optional<GcPauses.Summary> loadRunPauses(List<Result> rs) {
        List<GcPauses.Summary> spans = rs.stream().filter(r -> r.system().equals("ostore") && r.gc() != null
                && LOAD_RUNS.contains(r.workload())).map(Result::gc).toList();
        return spans.isEmpty() ? Optional.empty() : Optional.of(GcPauses.Summary.pool(spans));
    }

    private static String target(String what, Optional<String> measured, Optional<Boolean> met) {
        return "| " + what + " | " + measured.orElse("not measured in this run") + " | "
                + met.map(b -> b ? "yes" : "**no**").orElse("—") + " |\n";
    }

    private static Optional<Result> peak(List<Result> rs, String system, String workload) {
        return best(rs, r -> is(r, system, workload), Comparator.comparingDouble(Result::commitsPerSecond).reversed());
    }

    // ---- ostore beside etcd

    /** ostore's rows paired with etcd's at the same workload, clients and payload. */
    static List<Pair> pairs(List<Result> rs) {
        List<Pair> pairs = new ArrayList<>();
        for (Result o : rs) {
            if (!o.system().equals("ostore")) {
                continue;
            }
            rs.stream().filter(e -> e.system().equals("etcd") && e.workload().equals(o.workload())
                    && e.clients() == o.clients() && e.payloadBytes() == o.payloadBytes())
                    .findFirst().ifPresent(e -> pairs.add(new Pair(o, e)));
        }
        return pairs;
    }

    static String ratios(List<Result> rs) {
        List<Pair> pairs = pairs(rs);
        if (pairs.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder("### ostore / etcd, point by point\n\n"
                + "Each ratio is ostore's figure over etcd's at the same workload and client count: above 1 means"
                + " ostore completes more (throughput) or takes longer (latency, CPU).\n\n"
                + "| workload | clients | ostore commits/s | etcd commits/s | throughput ratio | p50 ratio | p99 ratio"
                + " | CPU per op ratio | abort rate ostore / etcd |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Pair p : pairs) {
            s.append(fmt("| %s | %d | %,.0f | %,.0f | %.2f | %.2f | %.2f | %s | %s / %s |%n", p.ostore().workload(),
                    p.ostore().clients(), p.ostore().commitsPerSecond(), p.etcd().commitsPerSecond(), p.throughput(),
                    p.ostore().p50Ms() / p.etcd().p50Ms(), p.ostore().p99Ms() / p.etcd().p99Ms(),
                    Double.isNaN(p.ostore().cpuMsPerOp() / p.etcd().cpuMsPerOp()) ? "—"
                            : fmt("%.2f", p.ostore().cpuMsPerOp() / p.etcd().cpuMsPerOp()),
                    percent(p.ostore().abortRate()), percent(p.etcd().abortRate())));
        }
        return s.append("\n![p50 and p99 latency against throughput, workload a, ostore and etcd](").append(PLOT)
                .append(")\n\n").toString();
    }

    static String rows(String title, List<Result> rs, Predicate<Result> which) {
        List<Result> chosen = rs.stream().filter(which).toList();
        if (chosen.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder("### " + title + "\n\n");
        chosen.stream().map(Result::workload).distinct().filter(WORKLOADS::containsKey)
                .forEach(w -> s.append("- `").append(w).append("`: ").append(WORKLOADS.get(w)).append("\n"));
        s.append("\nLatency in ms; ops/s counts aborts, commits/s does not; GC: pauses in the measured span,"
                + " their p99.9 and longest, in the JVM that measured (for etcd, its client's).\n\n"
                + "| system | workload | op | payload | clients | ops | aborts | p5 | p50 | p95 | p99 | max | ops/s"
                + " | commits/s | MB/s | CPU ms/op | GC pauses | GC p99.9 | GC max |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Result r : chosen) {
            s.append(fmt("| %s | %s | %s | %s | %d | %,d | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %,.0f | %,.0f | %.1f"
                    + " | %s | %s |%n", r.system(), r.workload(), r.op(), bytes(r.payloadBytes()), r.clients(), r.ops(),
                    percent(r.abortRate()), r.p5Ms(), r.p50Ms(), r.p95Ms(), r.p99Ms(), r.maxMs(), r.opsPerSecond(),
                    r.commitsPerSecond(), r.megabytesPerSecond(),
                    Double.isNaN(r.cpuMsPerOp()) ? "—" : fmt("%.2f", r.cpuMsPerOp()),
                    r.gc() == null ? "— | — | —" : fmt("%d | %.3f | %.3f", r.gc().pauses(), r.gc().p999Ms(),
                            r.gc().maxMs())));
        }
        return s.append("\n").toString();
    }

    // ---- Pond

    static String pond(List<Result> rs, List<Map<String, String>> phases) {
        StringBuilder s = new StringBuilder("### Beside Pond (Rhea et al., FAST 2003; its figures as"
                + " ../shared/design.md lists them)\n\n| measure | ostore | Pond |\n| --- | --- | --- |\n");
        Optional<Result> small = best(rs, r -> is(r, "ostore", "a") && r.payloadBytes() == 4096,
                Comparator.comparingInt(Result::clients));
        s.append("| 4 kB update latency, 5th / median / 95th percentile (ms) | ")
                .append(small.map(r -> fmt("%.1f / %.1f / %.1f (%d client(s))", r.p5Ms(), r.p50Ms(), r.p95Ms(),
                        r.clients())).orElse("not measured"))
                .append(" | median 39 (512-bit keys), 99 (1024-bit) |\n");
        Optional<Result> large = best(rs, r -> is(r, "ostore", "d"), Comparator.comparingInt(Result::clients));
        s.append("| 2 MB update latency, 5th / median / 95th percentile (ms) | ")
                .append(large.map(r -> fmt("%.1f / %.1f / %.1f (%d client(s))", r.p5Ms(), r.p50Ms(), r.p95Ms(),
                        r.clients())).orElse("not measured"))
                .append(" | median 1,086 (512-bit keys) |\n");
        Optional<Map<String, String>> ph = small.flatMap(r -> phases.stream()
                .filter(p -> "a".equals(p.get("workload")) && String.valueOf(r.clients()).equals(p.get("clients"))
                        && "4096".equals(p.get("payload"))).findFirst());
        Optional<Result> archive4k = rs.stream().filter(r -> is(r, "ostore", "pond-archive") && r.payloadBytes() == 4096)
                .findFirst();
        s.append("| 4 kB phases, ms: check / serialize (order) / apply / archive / sign | ")
                .append(ph.map(p -> ms(p, "check") + " / " + ms(p, "order") + " / " + ms(p, "apply"))
                        .orElse("— / — / —"))
                .append(" / ").append(archive4k.map(r -> fmt("%.2f", r.p50Ms())).orElse("—")).append(" / ")
                .append(ph.map(p -> ms(p, "sign")).orElse("—"))
                .append(" | 0.3 / 6.1 / 1.5 / 4.5 / 77.8 |\n");
        Optional<Result> peak = peak(rs, "ostore", "a");
        Optional<Result> peakLarge = peak(rs, "ostore", "d");
        s.append("| throughput microbenchmark: peak updates/s (4 KiB), MB/s (2 MiB) | ")
                .append(peak.map(r -> fmt("%,.0f /s at %d client(s)", r.commitsPerSecond(), r.clients())).orElse("—"))
                .append("; ").append(peakLarge.map(r -> fmt("%.1f MB/s at %d client(s)", r.megabytesPerSecond(),
                        r.clients())).orElse("—"))
                .append(" | not in the brief |\n");
        Optional<Result> retrieval = rs.stream().filter(r -> is(r, "ostore", "e-small")).findFirst();
        Optional<Result> restore = rs.stream().filter(r -> is(r, "ostore", "e-m-down")).findFirst();
        s.append("| archive retrieval: throughput; latency of a 4 KiB version (5th–95th, ms) | ")
                .append(restore.map(r -> fmt("%,.0f MB/s", r.megabytesPerSecond())).orElse("—")).append("; ")
                .append(retrieval.map(r -> fmt("%.1f–%.1f (median %.1f)", r.p5Ms(), r.p95Ms(), r.p50Ms())).orElse("—"))
                .append(" | 2.59 MB/s; 30–70 ms |\n");
        Optional<GcPauses.Summary> gc = loadRunPauses(rs);
        s.append("| GC pauses in the load runs: longest, and how many | ")
                .append(gc.map(g -> fmt("%.3f ms of %,d (%s)", g.maxMs(), g.pauses(), g.collector())).orElse("—"))
                .append(" | ~100 ms stop-the-world stalls |\n\n");
        return s.toString();
    }

    static String phases(List<Map<String, String>> phases) {
        if (phases.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder("### Where an update's time goes at one replica (ms one update spends in each"
                + " phase; apply and sign per batch, which every update of the batch waits for; mean over the four"
                + " replicas, warm-up included)\n\n| workload | clients | payload | updates per batch"
                + " | check | serialize/order | apply | sign |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Map<String, String> p : phases) {
            s.append("| ").append(String.join(" | ", List.of(p.getOrDefault("workload", "?"),
                    p.getOrDefault("clients", "?"), bytesOf(p.get("payload")), number(p, "perBatch", "%.1f"),
                    ms(p, "check"), ms(p, "order"), ms(p, "apply"), ms(p, "sign")))).append(" |\n");
        }
        return s.append("\n").toString();
    }

    static String micro(List<Micro.Row> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder("### Microbenchmarks (JMH, one fork each; ± the 99.9% interval)\n\n"
                + "| benchmark | parameters | score | unit |\n| --- | --- | --- | --- |\n");
        for (Micro.Row r : rows) {
            String params = r.params().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", "));
            s.append(fmt("| %s | %s | %s | %s |%n", r.benchmark(), params.isEmpty() ? "—" : params,
                    Double.isNaN(r.error()) ? number(r.score()) : number(r.score()) + " ± " + number(r.error()),
                    r.unit()));
        }
        return s.append("\n").toString();
    }

    // ---- helpers

    /** A phase figure (ms) from a {@code phases} line, to two decimals; {@code —} if missing or not a number. */
    private static String ms(Map<String, String> phases, String key) {
        return number(phases, key, "%.2f");
    }

    private static String number(Map<String, String> fields, String key, String format) {
        try {
            double v = Double.parseDouble(fields.getOrDefault(key, "NaN"));
            return Double.isNaN(v) ? "—" : fmt(format, v);
        } catch (NumberFormatException e) {
            return "—";
        }
    }

    private static String bytesOf(String payload) {
        try {
            return bytes(Long.parseLong(payload));
        } catch (NumberFormatException | NullPointerException e) {
            return "?";
        }
    }

    private static boolean is(Result r, String system, String workload) {
        return r.system().equals(system) && r.workload().equals(workload);
    }

    private static Optional<Result> best(List<Result> rs, Predicate<Result> which, Comparator<Result> order) {
        return rs.stream().filter(which).min(order);
    }

    static String bytes(long b) {
        if (b >= 1 << 20 && b % (1 << 20) == 0) {
            return (b >> 20) + " MiB";
        }
        if (b >= 1 << 10 && b % (1 << 10) == 0) {
            return (b >> 10) + " KiB";
        }
        return b + " B";
    }

    private static String percent(double share) {
        return fmt("%.1f%%", share * 100);
    }

    private static String number(double v) {
        return Math.abs(v) >= 100 ? fmt("%,.0f", v) : Math.abs(v) >= 1 ? fmt("%.2f", v) : fmt("%.4f", v);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
