package ostore.node.ring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import ostore.client.RingFile;
import ostore.client.RingSpec;
import ostore.crypto.KeyFiles;
import ostore.crypto.SigningKey;
import ostore.ring.bft.RingConfig;
import ostore.ring.log.LogStores;
import ostore.store.Limits;

/**
 * A whole ring of 3f+1 replicas in one process, each with its own data directory, key and port:
 * what {@code ostore up} runs by default, so one command gives the real protocol over real
 * sockets. The first start generates the keys and writes the ring file into the data directory;
 * later starts read both back, because the replicas' logs hold messages signed with those keys.
 *
 * <pre>
 * DIR/ring.conf               the ring configuration (clients use it with --ring)
 * DIR/replica-I/replica.key   replica I's private key (owner-only)
 * DIR/replica-I/versions, log replica I's store and shared log
 * </pre>
 */
public final class EmbeddedRing implements AutoCloseable {
    public static final String RING_FILE = "ring.conf";
    public static final int DEFAULT_F = 1;

    private final Path ringFile;
    private final RingSpec spec;
    private final List<ReplicaNode> replicas;

    private EmbeddedRing(Path ringFile, RingSpec spec, List<ReplicaNode> replicas) {
        this.ringFile = ringFile;
        this.spec = spec;
        this.replicas = replicas;
    }

    /**
     * Starts the ring in {@code dir}: the one recorded there, or a new one of 3f+1 replicas (f =
     * {@value #DEFAULT_F}) on {@code host}, ports {@code basePort + i} (all ephemeral when 0).
     */
    public static EmbeddedRing start(Path dir, String host, int basePort, Limits limits,
            LogStores.Preference logStore) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(RING_FILE);
        List<ReplicaNode.Listener> listeners = new ArrayList<>();
        List<ReplicaNode> started = new ArrayList<>();
        try {
            RingSpec spec;
            List<SigningKey> keys = new ArrayList<>();
            if (Files.exists(file)) {
                spec = RingFile.load(file);
                for (RingSpec.Member m : spec.replicas()) {
                    keys.add(KeyFiles.load(keyFile(dir, m.id())));
                    listeners.add(ReplicaNode.Listener.bind(m.host(), m.port()));
                }
            } else {
                List<RingSpec.Member> members = new ArrayList<>();
                SecureRandom random = new SecureRandom();
                for (int i = 0; i < 3 * DEFAULT_F + 1; i++) {
                    ReplicaNode.Listener l = ReplicaNode.Listener.bind(host, basePort == 0 ? 0 : basePort + i);
                    listeners.add(l);
                    SigningKey key = SigningKey.generate(random);
                    Files.createDirectories(dir.resolve("replica-" + i));
                    KeyFiles.save(key, keyFile(dir, i));
                    keys.add(key);
                    members.add(new RingSpec.Member(i, host, l.port(), key.publicKey()));
                }
                spec = new RingSpec(0, DEFAULT_F, 1, RingConfigs.params(RingConfig.Params.DEFAULT), members);
                RingFile.write(spec, file);
            }
            for (int i = 0; i < spec.n(); i++) {
                ReplicaNode.Config config = new ReplicaNode.Config(spec, i, keys.get(i), dir.resolve("replica-" + i),
                        limits, logStore);
                started.add(ReplicaNode.start(config, listeners.get(i)));
            }
            return new EmbeddedRing(file, spec, started);
        } catch (IOException | RuntimeException e) {
            for (int i = started.size(); i < listeners.size(); i++) {
                listeners.get(i).close();
            }
            started.forEach(ReplicaNode::close);
            throw e;
        }
    }

    private static Path keyFile(Path dir, int id) {
        return dir.resolve("replica-" + id).resolve("replica.key");
    }

    public Path ringFile() {
        return ringFile;
    }

    public RingSpec spec() {
        return spec;
    }

    public List<ReplicaNode> replicas() {
        return List.copyOf(replicas);
    }

    /** Stops every replica still running. */
    @Override
    public void close() {
        replicas.forEach(ReplicaNode::close);
    }
}
