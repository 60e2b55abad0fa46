package ostore.store.testing;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Limits;
import ostore.store.StoredVersion;
import ostore.store.engine.Execution;
import ostore.store.engine.UpdateEngine;

/** Runs the engine over an in-memory block map and keeps the latest version, for table tests. */
public final class EngineHarness {
    private final UpdateEngine engine;
    private final Map<Bguid, byte[]> blocks = new HashMap<>();
    private Optional<StoredVersion> latest = Optional.empty();
    private long clockMicros = 1_000;

    public EngineHarness(Limits limits) {
        this.engine = new UpdateEngine(limits);
    }

    /** Executes {@code u}; a commit becomes the latest version. */
    public Execution run(AuthenticatedUpdate u) {
        Execution e = engine.execute(latest, u, clockMicros++, this::read);
        if (e instanceof Execution.Commit c) {
            blocks.putAll(c.newBlocks());
            latest = Optional.of(c.version());
        }
        return e;
    }

    /** Executes {@code u} and fails unless it commits. */
    public StoredVersion commit(AuthenticatedUpdate u) {
        Execution e = run(u);
        if (!(e instanceof Execution.Commit c)) {
            throw new AssertionError("expected a commit, got " + e);
        }
        return c.version();
    }

    public Optional<StoredVersion> latest() {
        return latest;
    }

    public byte[] read(Bguid bguid) {
        byte[] b = blocks.get(bguid);
        if (b == null) {
            throw new IllegalStateException("no block " + bguid);
        }
        return b;
    }

    /** The latest version's bytes, concatenated. */
    public byte[] content() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        latest.map(StoredVersion::blocks).orElse(List.of()).forEach(e -> out.writeBytes(read(e.bguid())));
        return out.toByteArray();
    }

    public List<BlockListHash.Entry> blocks() {
        return latest.orElseThrow().blocks();
    }
}
