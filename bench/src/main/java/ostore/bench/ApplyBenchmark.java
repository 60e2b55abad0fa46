package ostore.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import ostore.crypto.Aguid;
import ostore.crypto.Domain;
import ostore.crypto.Hashing;
import ostore.crypto.SigningKey;
import ostore.store.Action;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Clause;
import ostore.store.Comparison;
import ostore.store.Creation;
import ostore.store.Limits;
import ostore.store.Outcome;
import ostore.store.Predicate;
import ostore.store.Update;
import ostore.store.rocks.RocksVersionStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Pond's "apply" phase: executing one 4 KiB predicate-guarded append ("if the latest version is
 * N, append these bytes") against the RocksDB version store — predicate, copy-on-write block
 * list, BGUID, VGUID, one atomic write batch. Signature checking and ordering are not included;
 * they are measured by {@link CryptoBenchmark} and {@link LogAppendBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class ApplyBenchmark {
    private static final int PAYLOAD_BYTES = 4096;
    // Objects grow by one block per update; starting a fresh one every so often keeps the block
    // list (copied per version) at a size typical of small objects rather than of a 100K-block log.
    private static final int UPDATES_PER_OBJECT = 256;
    // One thread applies every update, as in a ring of one color.
    private static final int COLOR = 0;

    private Path dir;
    private RocksVersionStore store;
    private SigningKey owner;
    private final SplittableRandom random = new SplittableRandom(42);
    private long position = -1;
    private long nonce;
    private int object;
    private Aguid aguid;
    private long seq;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("ostore-apply-bench");
        store = RocksVersionStore.open(dir, Limits.DEFAULT);
        byte[] seed = new byte[SigningKey.SEED_LENGTH];
        random.nextBytes(seed);
        owner = SigningKey.fromSeed(seed);
        newObject();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public Outcome guardedAppend4KiB() {
        if (seq >= UPDATES_PER_OBJECT) {
            newObject();
        }
        byte[] payload = new byte[PAYLOAD_BYTES];
        random.nextBytes(payload);
        Clause clause = new Clause(new Predicate.CompareVersion(Comparison.EQ, seq),
                List.of(new Action.Append(Action.Data.of(payload))));
        Outcome outcome = apply(new Update(aguid, ++nonce, List.of(clause), Optional.empty()));
        if (!(outcome instanceof Outcome.Committed c)) {
            throw new IllegalStateException("the guarded append did not commit: " + outcome);
        }
        seq = c.version().root().seq();
        return outcome;
    }

    private void newObject() {
        String name = "bench-" + object++;
        aguid = Aguid.of(owner.publicKey(), name);
        Clause create = new Clause(new Predicate.Always(), List.of());
        apply(new Update(aguid, ++nonce, List.of(create), Optional.of(new Creation(owner.publicKey(), name))));
        seq = 1;
    }

    private Outcome apply(Update u) {
        // The edge would hash the signed body; any digest unique per update serves the store.
        byte[] id = ByteBuffer.allocate(Long.BYTES * 2).putLong(nonce).putLong(object).array();
        AuthenticatedUpdate au = new AuthenticatedUpdate(u, owner.publicKey(), Hashing.hash(Domain.UPDATE, id));
        return store.apply(au, 1_000_000L * ++position, COLOR, position);
    }
}
