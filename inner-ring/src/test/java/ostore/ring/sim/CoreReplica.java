package ostore.ring.sim;

import java.util.function.Function;
import ostore.ring.SubmittedUpdate;
import ostore.ring.bft.Replica;
import ostore.ring.bft.RingConfig;
import ostore.ring.bft.Signed;
import ostore.ring.bft.TimerKey;

/** The real replica core behind the simulator's seam; the only class that knows its constructor. */
final class CoreReplica implements ReplicaUnderTest {
    /** How often a simulated replica moves up the records no checkpoint trims (see {@link Replica#compactLogAfterBytes}). */
    private static final long COMPACT_AFTER_BYTES = 16 << 10;
    /** Update bytes after which a simulated color checkpoints (see {@link Replica#checkpointAfterBytes}). */
    private static final long CHECKPOINT_AFTER_BYTES = 40;
    private final Replica replica;

    private CoreReplica(Replica replica) {
        this.replica = replica;
    }

    /** Replicas of {@code config} that verify fetched payloads with the simulator's update codec. */
    static Function<RingConfig, Factory> factory() {
        return config -> (id, key, env, log, store) -> {
            Replica replica = new Replica(config, id, key, log, store, SimUpdateCodec::decode, env);
            // A few KiB: the runs are short, and idle colors and view records should move up in them.
            replica.compactLogAfterBytes(COMPACT_AFTER_BYTES);
            // Tens of bytes: the runs' updates are a few bytes each, so checkpoints fall by size as well as by count.
            replica.checkpointAfterBytes(CHECKPOINT_AFTER_BYTES);
            return new CoreReplica(replica);
        };
    }

    @Override
    public void start() {
        replica.start();
    }

    @Override
    public void onClientUpdate(SubmittedUpdate update) {
        replica.onClientUpdate(update);
    }

    @Override
    public void onMessage(Signed<?> message) {
        replica.onMessage(message);
    }

    @Override
    public void onTimer(TimerKey key) {
        replica.onTimer(key);
    }

    @Override
    public void onDurable() {
        replica.onDurable();
    }

    @Override
    public java.util.Optional<String> logRefusal() {
        return replica.logRefusal();
    }

    @Override
    public long view() {
        return replica.status().view();
    }

    @Override
    public String describe() {
        return replica.status().toString();
    }
}
