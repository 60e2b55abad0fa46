package ostore.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import ostore.bench.Fields;
import ostore.bench.Result;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The whole benchmark in one command: the JMH microbenchmarks, ostore's ring under workloads (a)
 * to (d), etcd under (a) to (c) on the same machine in the same run, and the archive's restores
 * (e); then one report (markdown, with the ostore/etcd ratios, the targets, and the Pond table) and
 * a PNG of latency against throughput.
 *
 * <p>Each driver runs in a JVM of its own ({@link ChildJvm}), one after another, so they never
 * share the machine's two cores with each other. A part that fails is named in the report with its
 * log, and the others still run; the exit status is then 1.
 *
 * <p>Usage: {@code Suite [quick|full|tiny] [--root DIR] [--report FILE] [PART...]}, PART any of
 * {@code micro ring etcd archive} (default all). {@code quick} takes under three minutes and writes
 * {@code bench/target/report/benchmarks.md}; {@code full} runs longer and more points and writes
 * the report into {@code docs/benchmarks.md}, between its markers; {@code tiny} is the pipeline's
 * own test. The PNG goes beside the report.
 */
public final class Suite {
    /** The options every benchmark JVM gets: native access for llpl and ISA-L, the vector API, generational ZGC. */
    static final List<String> JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow", "--add-modules", "jdk.incubator.vector", "-XX:+UseZGC");

    /** The parts a run may hold, in the order they run. */
    static final List<String> PARTS = List.of("micro", "ring", "etcd", "archive");

    /** How much of everything each mode runs. */
    enum Mode {
        TINY, QUICK, FULL;

        /** The ring's SPECs (see {@code LoadDriver suite}). */
        List<String> ringSpecs() {
            return switch (this) {
                case TINY -> List.of("a:1:3:1:4096", "a:2:3:1:4096", "b:2:3:1:4096", "c-latest:1:3:1:4096",
                        "c-old:1:3:1:4096", "d:1:2:0:2097152");
                case QUICK -> List.of("a:1:150:100:4096", "a:4:60:40:4096", "a:16:25:15:4096", "a:64:8:6:4096",
                        "b:8:25:10:4096", "c-latest:4:150:50:4096", "c-old:4:150:50:4096", "d:1:10:3:2097152");
                case FULL -> List.of("a:1:1500:500:4096", "a:2:750:250:4096", "a:4:400:150:4096", "a:8:200:80:4096",
                        "a:16:120:40:4096", "a:32:60:20:4096", "a:64:40:12:4096", "b:2:300:50:4096",
                        "b:8:100:20:4096", "b:32:30:8:4096", "c-latest:1:2000:200:4096", "c-latest:16:300:50:4096",
                        "c-old:1:2000:200:4096", "c-old:16:300:50:4096", "d:1:60:10:2097152", "d:4:20:4:2097152");
            };
        }

        /** etcd's SPECs: the ring's workloads (a) to (c), point for point. */
        List<String> etcdSpecs() {
            return ringSpecs().stream().filter(s -> !s.startsWith("d:")).toList();
        }

        /** {@code ArchiveDriver results} arguments: transport, object MiB, k, m, shard KiB. */
        List<String> archiveArgs() {
            return switch (this) {
                case TINY -> List.of("file", "2", "4", "2", "64");
                case QUICK -> List.of("grpc", "32", "6", "3", "1024");
                case FULL -> List.of("grpc", "256", "6", "3", "1024");
            };
        }

        Micro.Plan microPlan() {
            List<Micro.Selection> s = new ArrayList<>();
            String[] codecs = Micro.codecPaths().toArray(String[]::new);
            switch (this) {
                case TINY -> s.add(new Micro.Selection("CryptoBenchmark\\.sha256$", Map.of("bytes", new String[] {"4096"})));
                case QUICK -> {
                    s.add(new Micro.Selection("CryptoBenchmark\\.(ed25519SignBouncyCastle|ed25519VerifyBouncyCastle|sha256)$",
                            Map.of("bytes", new String[] {"4096"})));
                    s.add(new Micro.Selection("CodecBenchmark", Map.of("code", new String[] {"10+4"}, "shardBytes",
                            new String[] {"1048576"}, "codec", codecs)));
                    s.add(Micro.Selection.of("LogAppendBenchmark"));
                    s.add(Micro.Selection.of("BloomBenchmark"));
                }
                case FULL -> {
                    s.add(Micro.Selection.of("CryptoBenchmark"));
                    s.add(Micro.Selection.of("ApplyBenchmark"));
                    s.add(Micro.Selection.of("LogAppendBenchmark"));
                    s.add(Micro.Selection.of("BloomBenchmark"));
                    s.add(new Micro.Selection("CodecBenchmark", Map.of("codec", codecs)));
                }
            }
            return switch (this) {
                case TINY -> new Micro.Plan(s, 0, 1, TimeValue.milliseconds(100));
                case QUICK -> new Micro.Plan(s, 1, 2, TimeValue.milliseconds(300));
                case FULL -> new Micro.Plan(s, 3, 5, TimeValue.seconds(1));
            };
        }

        /** How long any one child may run before it is killed. */
        Duration childLimit() {
            return this == FULL ? Duration.ofMinutes(30) : Duration.ofMinutes(5);
        }
    }

    /** Everything one run measured, for the report. */
    record Measured(RunInfo info, List<Result> results, List<Map<String, String>> phases, List<Micro.Row> micro,
            List<String> failures) {}

    private Suite() {}

    public static void main(String[] args) throws Exception {
        Mode mode = Mode.QUICK;
        Path root = Path.of("").toAbsolutePath();
        Path report = null;
        Set<String> parts = new LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "quick", "full", "tiny" -> mode = Mode.valueOf(a.toUpperCase(Locale.ROOT));
                case "--root" -> root = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--report" -> report = Path.of(value(args, ++i, a)).toAbsolutePath();
                default -> {
                    if (!PARTS.contains(a)) {
                        System.err.println("unknown argument '" + a + "'; usage: Suite [quick|full|tiny] [--root DIR]"
                                + " [--report FILE] [" + String.join("|", PARTS) + "]...");
                        System.exit(2);
                    }
                    parts.add(a);
                }
            }
        }
        if (parts.isEmpty()) {
            parts.addAll(PARTS);
        }
        if (report == null) {
            report = mode == Mode.FULL ? root.resolve("docs/benchmarks.md")
                    : root.resolve("bench/target/report/benchmarks.md");
        }
        // Logs stay in the build tree, also when the report goes into docs/.
        Measured m = run(mode, parts, root, root.resolve("bench/target/report/logs"));
        Report.write(m, report);
        System.err.println("report: " + report + (m.failures().isEmpty() ? "" : "; " + m.failures().size()
                + " part(s) failed, named in the report"));
        System.exit(m.failures().isEmpty() ? 0 : 1);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            System.err.println(flag + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    /** Runs {@code parts} of {@code mode}, the children's logs into {@code logs}. */
    static Measured run(Mode mode, Set<String> parts, Path root, Path logs) throws IOException, InterruptedException {
        Files.createDirectories(logs);
        RunInfo info = RunInfo.collect(mode.name().toLowerCase(Locale.ROOT), root);
        List<Result> results = new ArrayList<>();
        List<Map<String, String>> phases = new ArrayList<>();
        List<Micro.Row> micro = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        String logStore = "";
        for (String part : PARTS) {
            if (!parts.contains(part)) {
                continue;
            }
            long start = System.nanoTime();
            System.err.printf(Locale.ROOT, "bench %s: %s...%n", mode.name().toLowerCase(Locale.ROOT), part);
            try {
                switch (part) {
                    case "micro" -> micro.addAll(Micro.run(mode.microPlan(), logs.resolve("jmh.log"),
                            logs.resolve("jmh.json")));
                    // The log pool is the default size (1 GiB per replica), as a user's ring has it.
                    case "ring" -> collect(child(mode, "ostore.bench.LoadDriver", List.of("-Xmx4g"),
                            prepend("suite", mode.ringSpecs()), logs.resolve("ring.log")), results, phases);
                    case "etcd" -> collect(child(mode, "ostore.bench.EtcdDriver", List.of("-Xmx2g"),
                            prepend("suite", mode.etcdSpecs()), logs.resolve("etcd.log")), results, phases);
                    case "archive" -> collect(child(mode, "ostore.bench.ArchiveDriver", List.of("-Xms3g", "-Xmx3g",
                            "-XX:+AlwaysPreTouch"), prepend("results", mode.archiveArgs()),
                            logs.resolve("archive.log")), results, phases);
                    default -> throw new IllegalStateException(part);
                }
            } catch (ChildJvm.Failed e) {
                collect(e.partial(), results, phases); // the rows measured before it failed still count
                failures.add(part + ": " + e.getMessage());
                System.err.println("bench " + part + " failed: " + e.getMessage());
            } catch (IOException | org.openjdk.jmh.runner.RunnerException | RuntimeException e) {
                failures.add(part + ": " + e);
                System.err.println("bench " + part + " failed: " + e.getMessage());
            }
            if (part.equals("ring")) {
                logStore = logStore(logs.resolve("ring.log"));
            }
            System.err.printf(Locale.ROOT, "bench %s: %s took %.0f s%n", mode.name().toLowerCase(Locale.ROOT), part,
                    (System.nanoTime() - start) / 1e9);
        }
        return new Measured(info.withLogStore(logStore), results, phases, micro, failures);
    }

    /** The log store the ring's replicas opened, as their log says ("llpl (...)", "pure-Java ..."). */
    static String logStore(Path ringLog) {
        try (var lines = Files.lines(ringLog)) {
            return lines.filter(l -> l.contains("shared log: ")).findFirst()
                    .map(l -> l.substring(l.indexOf("shared log: ") + "shared log: ".length()))
                    .map(l -> l.replaceFirst(" pool /\\S+| in /\\S+", "")).orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    private static ChildJvm.Output child(Mode mode, String main, List<String> jvm, List<String> args, Path log)
            throws IOException, InterruptedException, ChildJvm.Failed {
        return ChildJvm.run(ChildJvm.command(jvm, main, args), log, mode.childLimit());
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    /** Parses a child's {@code result} and {@code phases} lines into the run's lists. */
    static void collect(ChildJvm.Output out, List<Result> results, List<Map<String, String>> phases) {
        for (String line : out.linesStartingWith(Result.PREFIX)) {
            results.add(Result.parse(line));
        }
        for (String line : out.linesStartingWith("phases ")) {
            phases.add(Fields.parse(line, "phases ", "phases"));
        }
    }
}
