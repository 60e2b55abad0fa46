package ostore.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import ostore.archive.codec.ByteTableLoop;
import ostore.archive.codec.ErasureCodec;
import ostore.archive.codec.IsalCodec;
import ostore.archive.codec.ReedSolomon;
import ostore.archive.codec.VectorLoop;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reed-Solomon encode and decode on one core, for the pure-Java loops and ISA-L through FFM, over
 * the codes 4+2, 10+4 and 16+16 and shards of 4 KiB, 64 KiB and 1 MiB. The {@code dataMB} counter
 * is the figure to read: megabytes (10^6 bytes) of data per second, that is k x shard bytes per
 * operation, parity not counted, the unit Backblaze and ISA-L publish; the plain ops/s row is
 * stripes per second. Decode rebuilds m lost shards, as many of them data shards as there are (the
 * costly case), with the decode plan cached as in a long restore.
 *
 * <p>Where ISA-L is not installed the {@code isal} path cannot run; {@code bench/run}'s suite
 * ({@code ostore.bench.report.Micro#codecPaths}) passes only the paths this JVM can run as
 * {@code -p codec=...}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// The vector loop needs the incubator module, ISA-L needs native access.
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CodecBenchmark {

    /** A codec and one encoded stripe. */
    @State(Scope.Thread)
    public static class Stripe {
        @Param({"isal", "vector", "table"})
        String codec;

        @Param({"4+2", "10+4", "16+16"})
        String code;

        @Param({"4096", "65536", "1048576"})
        int shardBytes;

        ErasureCodec rs;
        byte[][] shards;
        boolean[] present;
        double dataMegabytes;

        @Setup
        public void setUp() {
            int plus = code.indexOf('+');
            int k = Integer.parseInt(code.substring(0, plus));
            int m = Integer.parseInt(code.substring(plus + 1));
            rs = switch (codec) {
                case "isal" -> {
                    if (!IsalCodec.available()) {
                        throw new IllegalStateException("ISA-L is not installed here (libisal.so.2); leave it out"
                                + " with -p codec=vector,table (bench/run does so by itself)");
                    }
                    yield new IsalCodec(k, m);
                }
                case "vector" -> new ReedSolomon(k, m, new VectorLoop());
                case "table" -> new ReedSolomon(k, m, new ByteTableLoop());
                default -> throw new IllegalArgumentException("codec (" + codec + ") must be isal, vector or table");
            };
            shards = new byte[k + m][shardBytes];
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < k; i++) {
                random.nextBytes(shards[i]);
            }
            rs.encodeParity(shards, 0, shardBytes);
            present = new boolean[k + m];
            Arrays.fill(present, true);
            // The first m shards: data shards first, the costly case.
            Arrays.fill(present, 0, m, false);
            dataMegabytes = (double) k * shardBytes / 1e6;
            // A benchmark of a codec that computes wrong bytes would measure the wrong thing.
            if (!rs.isParityCorrect(shards, 0, shardBytes)) {
                throw new IllegalStateException(rs.description() + " does not verify its own parity");
            }
        }
    }

    /** Megabytes of data coded, reported by JMH as a rate: MB/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Throughput {
        public double dataMB;

        @Setup(Level.Iteration)
        public void reset() {
            dataMB = 0;
        }
    }

    @Benchmark
    public byte[][] encode(Stripe s, Throughput t) {
        s.rs.encodeParity(s.shards, 0, s.shardBytes);
        t.dataMB += s.dataMegabytes;
        return s.shards;
    }

    @Benchmark
    public byte[][] decode(Stripe s, Throughput t) {
        s.rs.decodeMissing(s.shards, s.present, 0, s.shardBytes);
        t.dataMB += s.dataMegabytes;
        return s.shards;
    }
}
