package ostore.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import ostore.ring.log.ColorBatch;
import ostore.ring.log.LocalSharedLog;
import ostore.ring.log.LogStore;
import ostore.ring.log.LogStoreConfig;
import ostore.ring.log.LogStores;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable 4 KiB appends to the shared log, on llpl and on the segment store: one record per flush
 * straight into the store, and 16 threads whose appends the group committer folds into shared
 * flushes. Each op returns only once its record is durable, so ops/s is durable appends per second.
 *
 * <p>The log is trimmed as it grows, keeping the last {@value #KEEP_RECORDS} records, as checkpoints
 * do in a running ring; that keeps the llpl pool and the segment files small, and its cost is part
 * of what is measured. Pools and segments live in a temporary directory deleted at teardown.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// llpl loads native code and uses sun.misc.Unsafe; the forked JVM needs the same permissions as tests.
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LogAppendBenchmark {
    private static final int RECORD_BYTES = 4096;
    private static final int COLOR = 0;
    private static final int TRIM_EVERY_RECORDS = 4096;
    private static final int KEEP_RECORDS = 2048;
    private static final LogStoreConfig CONFIG = new LogStoreConfig(1, 2 * RECORD_BYTES, 256L << 20, 64L << 20);

    /** A fresh store of the kind named by {@code store} in its own temporary directory. */
    @State(Scope.Benchmark)
    public abstract static class OpenStore {
        @Param({"llpl", "segment"})
        public String store;

        Path dir;
        final byte[] record = new byte[RECORD_BYTES];

        LogStore openStore() {
            new SplittableRandom(RECORD_BYTES).nextBytes(record);
            try {
                dir = Files.createTempDirectory("ostore-log-bench-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LogStore opened = LogStores.open(dir, LogStores.Preference.parse(store), CONFIG);
            // A benchmark that silently fell back to the other store would report the wrong figure.
            if (!opened.kind().equals(store)) {
                opened.close();
                throw new IllegalStateException("asked for the " + store + " store, got " + opened.kind());
            }
            return opened;
        }

        void deleteDirectory() {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + dir, e);
            }
        }
    }

    /** The bare store: every append is its own write plus sync (fdatasync, on llpl and segment alike). */
    public static class DirectStore extends OpenStore {
        LogStore log;

        @Setup(Level.Trial)
        public void setUp() {
            log = openStore();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            log.close();
            deleteDirectory();
        }
    }

    /** The store behind {@link LocalSharedLog}, so concurrent appends share group commits. */
    public static class GroupCommitted extends OpenStore {
        LocalSharedLog log;

        @Setup(Level.Trial)
        public void setUp() {
            log = LocalSharedLog.over(openStore());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            log.close();
            deleteDirectory();
        }
    }

    @Benchmark
    @Threads(1)
    public long appendOneRecordPerFlush(DirectStore s) {
        long position = s.log.append(List.of(new ColorBatch(COLOR, List.of(s.record))))[0];
        if ((position + 1) % TRIM_EVERY_RECORDS == 0) {
            s.log.trim(COLOR, position + 1 - KEEP_RECORDS);
        }
        return position;
    }

    @Benchmark
    @Threads(16)
    public long appendFrom16ThreadsWithGroupCommit(GroupCommitted s) {
        long position = s.log.append(COLOR, List.of(s.record));
        if ((position + 1) % TRIM_EVERY_RECORDS == 0) {
            s.log.trim(COLOR, position + 1 - KEEP_RECORDS);
        }
        return position;
    }
}
