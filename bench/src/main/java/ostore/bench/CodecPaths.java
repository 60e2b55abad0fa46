package ostore.bench;

import java.util.ArrayList;
import java.util.List;
import ostore.archive.codec.CodingLoops;
import ostore.archive.codec.IsalCodec;

/**
 * Prints the codec paths {@link CodecBenchmark} can run in this JVM, comma-separated, for
 * {@code bench/run} to pass as {@code -p codec=...}: a path that cannot load (ISA-L not installed,
 * the vector module not resolved) is then left out of the run instead of failing its setup. Each
 * missing path and the reason go to standard error.
 */
public final class CodecPaths {
    private CodecPaths() {}

    public static void main(String[] args) {
        List<String> paths = new ArrayList<>();
        if (IsalCodec.available()) {
            paths.add("isal");
        } else {
            System.err.println("codec benchmark: ISA-L skipped (libisal.so.2 does not load; Debian package libisal2)");
        }
        CodingLoops.vectorProblem().ifPresentOrElse(
                p -> System.err.println("codec benchmark: vector loop skipped (" + p + ")"),
                () -> paths.add("vector"));
        paths.add("table");
        System.out.println(String.join(",", paths));
    }
}
