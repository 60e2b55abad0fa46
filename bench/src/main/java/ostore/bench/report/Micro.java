package ostore.bench.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ostore.archive.codec.CodingLoops;
import ostore.archive.codec.IsalCodec;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The JMH microbenchmarks of the report, run through JMH's own runner (one forked JVM per
 * benchmark, as {@code java -jar benchmarks.jar} would): codec, hashing, signing, log append on
 * llpl and on the fallback, Bloom filter lookups. Each mode picks which and for how long.
 */
final class Micro {
    /**
     * One benchmark's figure: its score and 99.9% error in {@code unit}, and the parameters it ran
     * with. For the codec, the score is MB/s of data (its {@code dataMB} counter), not operations.
     */
    record Row(String benchmark, Map<String, String> params, double score, double error, String unit) {}

    /** What to run: JMH include patterns with their parameter restrictions, and the iteration shape. */
    record Plan(List<Selection> selections, int warmupIterations, int iterations, TimeValue iterationTime) {}

    /** One include pattern and the values to restrict its parameters to (none: all of them). */
    record Selection(String include, Map<String, String[]> params) {
        static Selection of(String include) {
            return new Selection(include, Map.of());
        }
    }

    private Micro() {}

    /** The codec paths this JVM can run ({@code isal}, {@code vector}, {@code table}); missing ones are said on stderr. */
    static List<String> codecPaths() {
        List<String> paths = new ArrayList<>();
        if (IsalCodec.available()) {
            paths.add("isal");
        } else {
            System.err.println("codec benchmark: ISA-L left out (libisal.so.2 does not load; Debian package libisal2)");
        }
        CodingLoops.vectorProblem().ifPresentOrElse(
                p -> System.err.println("codec benchmark: vector loop left out (" + p + ")"), () -> paths.add("vector"));
        paths.add("table");
        return paths;
    }

    /** Runs {@code plan}, JMH's own log to {@code log}, its JSON results to {@code json}. */
    static List<Row> run(Plan plan, Path log, Path json) throws RunnerException {
        List<Row> rows = new ArrayList<>();
        int n = 0;
        for (Selection s : plan.selections()) {
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .include(s.include())
                    .forks(1)
                    .warmupIterations(plan.warmupIterations())
                    .warmupTime(plan.iterationTime())
                    .measurementIterations(plan.iterations())
                    .measurementTime(plan.iterationTime())
                    .jvmArgs(Suite.JVM_OPTIONS.toArray(String[]::new))
                    .jvmArgsAppend("-Xmx2g")
                    .shouldFailOnError(true)
                    .output(log.resolveSibling(log.getFileName() + "." + n).toString())
                    .resultFormat(ResultFormatType.JSON)
                    .result(json.resolveSibling(json.getFileName() + "." + n).toString());
            s.params().forEach(o::param);
            n++;
            List<Row> ran = rows(new Runner(o.build()).run());
            // JMH ignores a restriction on a parameter no benchmark has: say so, rather than run them all.
            for (String key : s.params().keySet()) {
                if (ran.stream().noneMatch(r -> r.params().containsKey(key))) {
                    throw new IllegalStateException("no benchmark matching '" + s.include() + "' has a parameter '"
                            + key + "' (the plan restricts it)");
                }
            }
            rows.addAll(ran);
        }
        return rows;
    }

    static List<Row> rows(Collection<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            Map<String, String> params = new TreeMap<>();
            for (String k : r.getParams().getParamsKeys()) {
                params.put(k, r.getParams().getParam(k));
            }
            var data = r.getSecondaryResults().get("dataMB");
            var figure = data != null ? data : r.getPrimaryResult();
            String unit = data != null ? "MB/s of data" : figure.getScoreUnit();
            String name = r.getParams().getBenchmark().replaceFirst("^ostore\\.bench\\.", "");
            rows.add(new Row(name, params, figure.getScore(), figure.getScoreError(), unit));
        }
        return rows;
    }
}
