package ostore.ring.sim;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import ostore.crypto.Hash32;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.ring.bft.FrameException;
import ostore.ring.bft.Frames;
import ostore.ring.bft.ReplicaEnv;
import ostore.ring.bft.RingConfig;
import ostore.ring.bft.SafetyViolation;
import ostore.ring.bft.Signed;
import ostore.ring.bft.TimerKey;
import ostore.ring.bft.fault.ByzantineTamper;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Limits;
import ostore.store.memory.MemoryVersionStore;

/**
 * One replica's machine: its clock, timers, network endpoint, durable log and version store, and
 * the replica incarnation running on them. A crash drops the incarnation and every in-memory
 * thing (timers, client connections), keeps the log media exactly and the version store as of its
 * last sync; a restart builds a new incarnation over what survived.
 */
final class SimReplicaHost {
    /** A group of pipelined appends takes this long, plus up to the spread, to become durable (an fdatasync). */
    static final long SYNC_MIN_MICROS = 50;
    static final long SYNC_SPREAD_MICROS = 1_000;
    /** A batch's execution, handed to another thread in a real process, finishes this much later. */
    static final long EXECUTE_MIN_MICROS = 20;
    static final long EXECUTE_SPREAD_MICROS = 2_000;

    private final int id;
    private final String name;
    private final SigningKey key;
    private final RingConfig config;
    private final EventQueue events;
    private final SimClock clock;
    private final SimNetwork network;
    private final ReplicaUnderTest.Factory factory;
    private final Consumer<Executed> observer;
    private final ByzantineTamper tamper;
    private MemoryLogStore.Media logMedia;
    /** Picks how long each group of pipelined log appends takes to become durable. */
    private final SplittableRandom syncRandom;
    private SyncSharedLog log;
    private MemoryVersionStore durableStore;
    private ObservedVersionStore store;
    private ReplicaUnderTest replica;
    private int incarnation;
    private boolean up;
    /** One of two hosts sharing one key (Twins): together one faulty replica. */
    private boolean twin;
    /** Twin halts on their own safety checks (see {@link #guarded}). */
    private int twinHalts;
    private long timerGeneration;
    /** Looked up by key only; iteration order never matters. */
    private final Map<TimerKey, Long> armedTimers = new HashMap<>();
    /** Update digest to the clients connected and waiting for its reply here, in id order. */
    private final Map<Hash32, TreeSet<Integer>> waitingClients = new HashMap<>();
    private long framesRejected;
    /** Client updates refused because the replica's log was too full to take new ones. */
    private long refusedForRoom;
    /** Extra sync time per byte queued (a disk's write bandwidth), in nanoseconds; 0 in the checking runs. */
    private long syncNanosPerByte;
    /** Draws the slow disk's delays, in runs with storage faults; null otherwise. */
    private SplittableRandom slowDisk;
    /** Starts that found the log damaged and began again on an empty disk. */
    private int corruptStarts;

    SimReplicaHost(int id, String name, SigningKey key, RingConfig config, EventQueue events, SimClock clock,
            SimNetwork network, ReplicaUnderTest.Factory factory, Consumer<Executed> observer, ByzantineTamper tamper,
            MemoryLogStore.Media logMedia, SplittableRandom syncRandom) {
        this.id = id;
        this.name = name;
        this.key = key;
        this.config = config;
        this.events = events;
        this.clock = clock;
        this.network = network;
        this.factory = factory;
        this.observer = observer;
        this.tamper = tamper;
        this.logMedia = logMedia;
        this.syncRandom = syncRandom;
        this.durableStore = new MemoryVersionStore(Limits.DEFAULT);
    }

    int id() {
        return id;
    }

    String name() {
        return name;
    }

    boolean up() {
        return up;
    }

    boolean byzantine() {
        return tamper != null;
    }

    ByzantineTamper tamper() {
        return tamper;
    }

    /**
     * Now and then (one in {@value #SLOW_ONE_IN}) a log sync or a store write takes {@value
     * #SLOW_MIN_MICROS} to {@value #SLOW_MAX_MICROS} us longer: a slow disk. Set before {@link #start}.
     */
    void slowDisk(SplittableRandom random) {
        this.slowDisk = random;
    }

    static final int SLOW_ONE_IN = 20;
    static final long SLOW_MIN_MICROS = 20_000;
    static final long SLOW_MAX_MICROS = 400_000;

    private long slowness() {
        return slowDisk == null || slowDisk.nextInt(SLOW_ONE_IN) != 0 ? 0 : slowDisk.nextLong(SLOW_MIN_MICROS, SLOW_MAX_MICROS);
    }

    /** The crashed machine's log has a damaged record; @return which, or empty if the log held none. */
    java.util.Optional<String> damageLog(SplittableRandom random) {
        if (up) {
            throw new IllegalStateException(name + " is damaged only while down");
        }
        return logMedia.damageOne(random);
    }

    int corruptStarts() {
        return corruptStarts;
    }

    /** A sync takes {@code nanosPerByte} longer per byte it writes (benchmarks; set before {@link #start}). */
    void syncNanosPerByte(long nanosPerByte) {
        this.syncNanosPerByte = nanosPerByte;
    }

    long framesRejected() {
        return framesRejected;
    }

    long refusedForRoom() {
        return refusedForRoom;
    }

    ObservedVersionStore store() {
        return store;
    }

    String describe() {
        return name + (up ? " up " + replica.describe() : " down");
    }

    /** The view of the replica, which must be up. */
    long view() {
        return replica.view();
    }

    void start() {
        assert !up : name + " is already up";
        up = true;
        incarnation++;
        store = new ObservedVersionStore(durableStore, id, name + "#" + incarnation, config::colorOf, observer);
        int own = incarnation;
        log = new SyncSharedLog(MemoryLogStore.open(logMedia), (sync, afterMicros) -> events.after(
                clock.globalDelay(Math.max(afterMicros, SYNC_MIN_MICROS + syncRandom.nextLong(SYNC_SPREAD_MICROS)
                        + (syncNanosPerByte == 0 ? 0 : log.queuedBytes() * syncNanosPerByte / 1_000)) + slowness()),
                name + " log sync", () -> {
                    if (up && incarnation == own) {
                        sync.run();
                    }
                }));
        replica = factory.create(id, key, new Env(incarnation), log, store);
        try {
            replica.start();
        } catch (MemoryLogStore.CorruptRecordException e) {
            // A real replica exits with the store's message; its operator wipes the disk and starts
            // it again, and it catches up from its peers as any wiped replica does.
            corruptStarts++;
            up = false;
            replica = null;
            log.crash();
            log = null;
            armedTimers.clear();
            durableStore = store.crash();
            store = null;
            wipe();
            start();
        }
    }

    void crash() {
        assert up : name + " is already down";
        up = false;
        replica = null;
        log.crash();
        log = null;
        armedTimers.clear();
        waitingClients.clear();
        if (syncRandom.nextBoolean()) {
            // The process died, not the machine: the page cache keeps every store write, synced or not,
            // while the log appends still queued in the process are gone.
            store.sync();
        }
        durableStore = store.crash();
        store = null;
    }

    /** The machine, down, loses its disk: the next start finds an empty log and an empty version store. */
    void wipe() {
        assert !up : name + " is wiped only while down";
        logMedia = logMedia.blank();
        durableStore = new MemoryVersionStore(Limits.DEFAULT);
    }

    /** A frame from the network: a client's signed update or a replica's signed message. */
    void deliver(int from, byte[] frame) {
        if (!up) {
            return;
        }
        if (from >= config.n()) {
            fromClient(from, frame);
            return;
        }
        Signed<?> message;
        try {
            message = Frames.decodeAndVerify(frame, config);
        } catch (FrameException e) {
            framesRejected++;
            return;
        }
        guarded(() -> replica.onMessage(message));
    }

    /** Marks this host as one of a pair that shares a key (Twins). */
    void twin() {
        twin = true;
    }

    /** How often a twin stopped on its own safety check. */
    int twinHalts() {
        return twinHalts;
    }

    /**
     * Runs {@code step} against the replica. A twin can find its own invariants broken by what its
     * other half signed with the same key (its seqno committed under a batch it never proposed, say):
     * its check then stops it for good, as a replica process exits on a SafetyViolation, and a faulty
     * replica stopping is within the fault model. Any other replica's violation fails the run.
     */
    private void guarded(Runnable step) {
        try {
            step.run();
        } catch (SafetyViolation e) {
            if (!twin) {
                throw e;
            }
            twinHalts++;
            up = false;
            replica = null;
            armedTimers.clear();
            waitingClients.clear();
        }
    }

    private void fromClient(int client, byte[] frame) {
        AuthenticatedUpdate decoded;
        try {
            decoded = SimUpdateCodec.decode(frame);
        } catch (IllegalArgumentException e) {
            framesRejected++;
            return;
        }
        if (replica.logRefusal().isPresent()) {
            // A node's edge refuses it (UNAVAILABLE, retry): the client's retransmission tries again.
            refusedForRoom++;
            return;
        }
        waitingClients.computeIfAbsent(decoded.digest(), d -> new TreeSet<>()).add(client);
        guarded(() -> replica.onClientUpdate(new SubmittedUpdate(frame, decoded)));
    }

    /** The replica's window on the world; calls from an incarnation that has crashed are ignored. */
    private final class Env implements ReplicaEnv {
        private final int ownIncarnation;
        private boolean durableScheduled;

        Env(int incarnation) {
            this.ownIncarnation = incarnation;
        }

        private boolean current() {
            return up && ownIncarnation == incarnation;
        }

        @Override
        public long nowMicros() {
            return clock.nowMicros();
        }

        @Override
        public void send(int to, byte[] frame) {
            if (!current()) {
                return;
            }
            List<byte[]> out = tamper == null ? List.of(frame) : tamper.outgoing(to, frame);
            for (byte[] f : out) {
                network.send(id, to, f);
            }
        }

        @Override
        public void setTimer(TimerKey timer, long afterMicros) {
            if (!current()) {
                return;
            }
            long generation = ++timerGeneration;
            armedTimers.put(timer, generation);
            events.after(clock.globalDelay(afterMicros), name + " timer " + timer.kind() + "/" + timer.discriminator(),
                    () -> fire(timer, generation));
        }

        @Override
        public void cancelTimer(TimerKey timer) {
            if (current()) {
                armedTimers.remove(timer);
            }
        }

        @Override
        public void reply(Hash32 updateDigest, byte[] signedReply, ostore.store.Outcome outcome) {
            if (!current()) {
                return;
            }
            TreeSet<Integer> clients = waitingClients.remove(updateDigest);
            if (clients == null) {
                return;
            }
            List<byte[]> replies = tamper == null ? List.of(signedReply) : tamper.reply(signedReply);
            for (int client : clients) {
                for (byte[] r : replies) {
                    network.send(id, client, ByteBuffer.allocate(Hash32.LENGTH + r.length)
                            .put(updateDigest.toBytes()).put(r).array());
                }
            }
        }

        @Override
        public void durabilityAdvanced() {
            if (!current() || durableScheduled) {
                return;
            }
            durableScheduled = true;
            events.after(0, name + " durable", () -> {
                durableScheduled = false;
                if (current()) {
                    guarded(replica::onDurable);
                }
            });
        }

        @Override
        public <T> void execute(int color, Supplier<T> apply, Consumer<T> done) {
            if (!current()) {
                return;
            }
            // In a real process the store is written on another thread while the replica goes on:
            // here either at once (a crash before the result arrives leaves the store ahead of the
            // log) or just before the result, with the replica's other events in between.
            boolean early = syncRandom.nextBoolean();
            T result = early ? apply.get() : null;
            events.after(clock.globalDelay(EXECUTE_MIN_MICROS + syncRandom.nextLong(EXECUTE_SPREAD_MICROS) + slowness()),
                    name + " executed color " + color, () -> {
                        if (current()) {
                            guarded(() -> done.accept(early ? result : apply.get()));
                        }
                    });
        }

        private void fire(TimerKey timer, long generation) {
            Long armed = armedTimers.get(timer);
            if (current() && armed != null && armed == generation) {
                armedTimers.remove(timer);
                guarded(() -> replica.onTimer(timer));
            }
        }
    }
}
