package ostore.ring.bft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import ostore.crypto.Hash32;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.store.Limits;
import ostore.store.memory.MemoryVersionStore;

/**
 * Four replicas in one thread: frames go through a FIFO queue (through the real codec and
 * signature checks), timers fire in virtual time when the network is quiet. A fault rule may
 * drop envelopes; a replica may be silenced. Deterministic: no threads, no wall clock.
 */
final class RingHarness {
    record Envelope(int from, int to, byte[] frame) {
        int type() {
            return Byte.toUnsignedInt(frame[1]);
        }
    }

    /** Batches of up to 4 updates, a 5 s view-change timeout: what most unit tests of the core run with. */
    static final RingConfig.Params PARAMS = new RingConfig.Params(4, 1_000, 2, 4, 200_000, 5_000_000);

    /** Replica {@code i}'s signing key in every test ring: seeded with {@code i + 1}. */
    static SigningKey key(int i) {
        byte[] seed = new byte[32];
        seed[0] = (byte) (i + 1);
        return SigningKey.fromSeed(seed);
    }

    /** A test ring of four ({@link #key} keys, 127.0.0.1:7000..7003, epoch 0) of {@code colors} colors. */
    static RingConfig config(int colors, RingConfig.Params params) {
        return config(1, colors, params);
    }

    /** A test ring of 3f+1 ({@link #key} keys, 127.0.0.1:7000 on, epoch 0) of {@code colors} colors. */
    static RingConfig config(int f, int colors, RingConfig.Params params) {
        List<ReplicaAddress> addresses = new ArrayList<>();
        for (int i = 0; i < 3 * f + 1; i++) {
            addresses.add(new ReplicaAddress(i, "127.0.0.1", 7000 + i, key(i).publicKey()));
        }
        return new RingConfig(0, f, addresses, colors, params);
    }

    /** A digest whose first byte is {@code b}: a stand-in for an update or state no test needs real. */
    static Hash32 hash(int b) {
        byte[] bytes = new byte[Hash32.LENGTH];
        bytes[0] = (byte) b;
        return Hash32.of(bytes);
    }

    final RingConfig config;
    final List<SigningKey> keys = new ArrayList<>();
    final List<Replica> replicas = new ArrayList<>();
    final List<MemorySharedLog> logs = new ArrayList<>();
    final List<MemoryVersionStore> stores = new ArrayList<>();
    final List<Map<Hash32, byte[]>> replies = new ArrayList<>();
    final Set<Integer> silent = new HashSet<>();
    Predicate<Envelope> drop = e -> false;
    private final ArrayDeque<Envelope> network = new ArrayDeque<>();
    private final VirtualTimers timers = new VirtualTimers();
    private long now = 1_000_000_000L;

    private final int statePageBytes;

    RingHarness(RingConfig.Params params) {
        this(params, StateServer.PAGE_BYTES);
    }

    /** A ring whose state-transfer pages hold about {@code statePageBytes}, so paging can be tested small. */
    RingHarness(RingConfig.Params params, int statePageBytes) {
        this(params, statePageBytes, 1);
    }

    /** A ring of {@code colors} colors. */
    RingHarness(RingConfig.Params params, int statePageBytes, int colors) {
        this(params, statePageBytes, colors, 1);
    }

    /** A ring of 3f+1 replicas and {@code colors} colors; f = 0 is a ring of one. */
    RingHarness(RingConfig.Params params, int statePageBytes, int colors, int f) {
        this.statePageBytes = statePageBytes;
        config = config(f, colors, params);
        for (int i = 0; i < config.n(); i++) {
            keys.add(key(i));
        }
        for (int i = 0; i < config.n(); i++) {
            logs.add(new MemorySharedLog(colors + 1));
            stores.add(new MemoryVersionStore(Limits.DEFAULT));
            replies.add(new HashMap<>());
            replicas.add(null);
            boot(i);
        }
    }

    /** What replica i's version store looks like to it: the store itself, unless a test makes it lie. */
    java.util.function.BiFunction<Integer, MemoryVersionStore, ostore.store.VersionStore> storeView = (i, s) -> s;

    /** (Re)starts replica {@code i} over its log and store, as after a crash. */
    void boot(int i) {
        Replica r = new Replica(config, i, keys.get(i), logs.get(i), storeView.apply(i, stores.get(i)),
                TestUpdates.VERIFIER, env(i), statePageBytes);
        replicas.set(i, r);
        r.start();
    }

    /** Crashes replica {@code i}: its store loses what it did not sync, its timers and inbound frames go. */
    void crashAndRestart(int i) {
        stores.set(i, stores.get(i).crashed());
        timers.forget(i);
        boot(i);
    }

    /** Replica {@code i} loses its disk: an empty log and store, timers and inbound frames gone; then boots. */
    void wipeAndRestart(int i) {
        logs.set(i, new MemorySharedLog(logs.get(i).colors()));
        stores.set(i, new MemoryVersionStore(Limits.DEFAULT));
        timers.forget(i);
        boot(i);
    }

    /**
     * Kills replica {@code i}'s process, not its machine: the store keeps every write, but the log
     * records appended without waiting that no sync had covered yet are gone. Modelled as the worst
     * case for recovery: every EXECUTED record is lost (the store ran ahead of all of them).
     */
    void killLosingExecutedRecords(int i) {
        keepOnlyRecords(i, type -> type != LogRecords.EXECUTED);
        timers.forget(i);
        boot(i);
    }

    /**
     * Crashes replica {@code i}'s machine (its store loses unsynced writes) with a log that lost
     * every PAYLOAD record and every EXECUTED one while keeping the rest: as after a failed log group
     * whose later groups were still written. Committed batches then lack their payloads.
     */
    void crashLosingPayloadRecords(int i) {
        keepOnlyRecords(i, type -> type != LogRecords.PAYLOAD && type != LogRecords.EXECUTED);
        stores.set(i, stores.get(i).crashed());
        timers.forget(i);
        boot(i);
    }

    private void keepOnlyRecords(int i, java.util.function.IntPredicate keep) {
        MemorySharedLog kept = new MemorySharedLog(logs.get(i).colors());
        for (int c = 0; c < logs.get(i).colors(); c++) {
            for (long p = logs.get(i).firstPosition(c); p < logs.get(i).nextPosition(c); p++) {
                byte[] record = logs.get(i).read(c, p, 1).getFirst().payload();
                if (keep.test(record[1])) {
                    kept.append(c, List.of(record));
                }
            }
        }
        logs.set(i, kept);
    }

    private ReplicaEnv env(int self) {
        return new ReplicaEnv() {
            @Override
            public long nowMicros() {
                return now;
            }

            @Override
            public void send(int to, byte[] frame) {
                network.add(new Envelope(self, to, frame));
            }

            @Override
            public void setTimer(TimerKey key, long afterMicros) {
                timers.arm(self, key, now + afterMicros);
            }

            @Override
            public void cancelTimer(TimerKey key) {
                timers.cancel(self, key);
            }

            @Override
            public void durabilityAdvanced() {
                // The harness's log makes every append durable at once: nothing waits for this.
            }

            @Override
            public void reply(Hash32 updateDigest, byte[] signedReply, ostore.store.Outcome outcome) {
                replies.get(self).put(updateDigest, signedReply);
            }

            @Override
            public <T> void execute(int color, java.util.function.Supplier<T> apply,
                    java.util.function.Consumer<T> done) {
                done.accept(apply.get());
            }
        };
    }

    /** Replica {@code i}'s held log appends ({@link MemorySharedLog#hold}) become durable, and it learns so. */
    void releaseLog(int i) {
        logs.get(i).release();
        replicas.get(i).onDurable();
    }

    void submit(SubmittedUpdate u, int... to) {
        for (int i : to) {
            if (!silent.contains(i)) {
                replicas.get(i).onClientUpdate(u);
            }
        }
    }

    void submitToAll(SubmittedUpdate u) {
        submit(u, java.util.stream.IntStream.range(0, config.n()).toArray());
    }

    /** Delivers frames and fires timers until nothing is left before {@code forMicros} from now. */
    void run(long forMicros) {
        long deadline = now + forMicros;
        while (true) {
            VirtualTimers.Fired fired;
            if (!network.isEmpty()) {
                deliver(network.poll());
            } else if ((fired = timers.pollDue(deadline)) != null) {
                now = Math.max(now, fired.at());
                if (!silent.contains(fired.replica())) {
                    replicas.get(fired.replica()).onTimer(fired.key());
                }
            } else {
                now = Math.max(now, deadline);
                return;
            }
        }
    }

    private void deliver(Envelope e) {
        if (silent.contains(e.from()) || silent.contains(e.to()) || drop.test(e)) {
            return;
        }
        Signed<?> m = Frames.decodeAndVerify(e.frame(), config);
        if (m.sender() == e.to()) {
            // The driver drops such a frame as a replay (ReplicaLoop.receive): sending it is waste.
            throw new AssertionError("replica " + e.from() + " sent replica " + e.to() + " its own "
                    + m.message().getClass().getSimpleName());
        }
        replicas.get(e.to()).onMessage(m);
    }
}
