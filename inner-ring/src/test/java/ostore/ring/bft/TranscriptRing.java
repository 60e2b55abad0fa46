package ostore.ring.bft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import ostore.crypto.Hash32;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.ring.log.LogEntry;
import ostore.ring.log.SharedLog;
import ostore.ring.log.Subscription;
import ostore.store.Limits;
import ostore.store.memory.MemoryVersionStore;

/**
 * A four-replica ring in one thread whose one <em>watched</em> replica is driven by hand and
 * traced: what comes in (messages, completions) and what goes out (messages, log appends, store
 * effects, replies, timers), one line each, as the transcript tests compare them
 * ({@link TranscriptTest}). The watched replica's pipelined log appends stay queued until a
 * {@code sync} command makes them durable, and its store work (batch writes, syncs) until an
 * {@code apply} command runs it: completions come in when the transcript says so. The other three
 * replicas run as they would on a fast disk (appends durable at once, store work done at once) and
 * are not traced. Deterministic: virtual time, no threads, deterministic signatures.
 */
final class TranscriptRing {
    private record Envelope(int from, int to, byte[] frame) {}

    /** A log over memory whose pipelined appends complete when the transcript syncs (watched replica only). */
    private final class TracedLog implements SharedLog {
        private final MemorySharedLog durable;
        private final boolean manual;
        private final ArrayDeque<Runnable> queued = new ArrayDeque<>();

        TracedLog(MemorySharedLog durable, boolean manual) {
            this.durable = durable;
            this.manual = manual;
        }

        @Override
        public CompletableFuture<Long> appendAsync(int color, List<byte[]> records) {
            trace("log+ " + colorName(color) + " " + describeRecords(color, records) + (manual ? " (queued)" : ""));
            if (!manual) {
                return CompletableFuture.completedFuture(durable.append(color, records));
            }
            CompletableFuture<Long> f = new CompletableFuture<>();
            queued.add(() -> f.complete(durable.append(color, records)));
            return f;
        }

        @Override
        public long append(int color, List<byte[]> records) {
            // Waits for everything queued before it, as a real log's append does.
            flush();
            trace("log+ " + colorName(color) + " " + describeRecords(color, records) + (manual ? " (waited for)" : ""));
            return durable.append(color, records);
        }

        /** Makes every queued append durable, in order; returns how many there were. */
        int flush() {
            int n = queued.size();
            while (!queued.isEmpty()) {
                queued.poll().run();
            }
            return n;
        }

        /** A crash: queued appends never reach the disk. */
        void lose() {
            queued.clear();
        }

        @Override
        public void trim(int color, long upTo) {
            if (upTo > durable.firstPosition(color)) {
                trace("log trim " + colorName(color) + " below " + upTo);
            }
            durable.trim(color, upTo);
        }

        @Override public int colors() { return durable.colors(); }
        @Override public int maxRecordBytes() { return durable.maxRecordBytes(); }
        @Override public List<LogEntry> read(int color, long from, int max) { return durable.read(color, from, max); }
        @Override public Subscription subscribe(int color, long from, Consumer<LogEntry> c) { return durable.subscribe(color, from, c); }
        @Override public long firstPosition(int color) { return durable.firstPosition(color); }
        @Override public long nextPosition(int color) { return durable.nextPosition(color); }
        @Override public String storeKind() { return "memory"; }
        @Override public void close() { }
    }

    final RingConfig config;
    final int watched;
    final List<SigningKey> keys = new ArrayList<>();
    private final List<Replica> replicas = new ArrayList<>();
    private final List<MemorySharedLog> logs = new ArrayList<>();
    private final List<MemoryVersionStore> stores = new ArrayList<>();
    private TracedLog watchedLog;
    /** The watched replica's store work, waiting for {@code apply}. */
    private final ArrayDeque<Runnable> effects = new ArrayDeque<>();
    private final ArrayDeque<Envelope> network = new ArrayDeque<>();
    private final VirtualTimers timers = new VirtualTimers();
    private final Set<Integer> isolated = new HashSet<>();
    private final SigningKey client = SigningKey.fromSeed(new byte[32]);
    private final Map<String, Long> nonces = new HashMap<>();
    private final Map<Hash32, String> names = new LinkedHashMap<>();
    private final List<String> out = new ArrayList<>();
    /** Reads log records back for the trace. */
    private long now = 1_000_000_000L;

    TranscriptRing(int watched, RingConfig.Params params, int colors) {
        this.watched = watched;
        for (int i = 0; i < 4; i++) {
            keys.add(RingHarness.key(i));
        }
        config = RingHarness.config(colors, params);
        for (int i = 0; i < 4; i++) {
            logs.add(new MemorySharedLog(colors + 1));
            stores.add(new MemoryVersionStore(Limits.DEFAULT));
            replicas.add(null);
            boot(i);
        }
        // What the replicas say at start (each asks its peers for state) is not the scenario's.
        network.clear();
        out.clear();
    }

    /** The lines traced since the last call. */
    List<String> take() {
        List<String> lines = List.copyOf(out);
        out.clear();
        return lines;
    }

    private void trace(String line) {
        out.add(line);
    }

    private void boot(int i) {
        SharedLog log = logs.get(i);
        if (i == watched) {
            watchedLog = new TracedLog(logs.get(i), true);
            log = watchedLog;
            effects.clear();
        }
        Replica r = new Replica(config, i, keys.get(i), log, stores.get(i), TestUpdates.VERIFIER, env(i));
        replicas.set(i, r);
        r.start();
    }

    // ---- commands ----

    /** A client update {@code name} appending its name to {@code object}, sent to {@code to}. */
    void submit(String name, String object, List<Integer> to) {
        long nonce = nonces.merge(object, 1L, Long::sum);
        SubmittedUpdate u = TestUpdates.append(client, object, nonce, name);
        names.put(u.decoded().digest(), name);
        for (int i : to) {
            if (i == watched) {
                trace("<- client " + name);
            }
            replicas.get(i).onClientUpdate(u);
        }
    }

    /** Delivers the frames queued now (not those they cause) that match; returns how many. */
    int deliver(Integer from, Integer to, String type) {
        List<Envelope> now = new ArrayList<>(network);
        network.clear();
        int n = 0;
        for (Envelope e : now) {
            boolean match = (from == null || e.from() == from) && (to == null || e.to() == to)
                    && (type == null || describe(Frames.decodeAndVerify(e.frame(), config).message()).startsWith(type + " "));
            if (!match) {
                network.add(e);
                continue;
            }
            n++;
            if (isolated.contains(e.from()) || isolated.contains(e.to())) {
                continue;
            }
            Signed<?> s = Frames.decodeAndVerify(e.frame(), config);
            if (e.to() == watched) {
                trace("<- r" + e.from() + " " + describe(s.message()));
            }
            replicas.get(e.to()).onMessage(s);
        }
        return n;
    }

    /** Drops the queued frames that match, undelivered. */
    void drop(Integer from, Integer to) {
        network.removeIf(e -> (from == null || e.from() == from) && (to == null || e.to() == to));
    }

    /** Makes the watched replica's queued appends durable and tells it so. */
    void sync() {
        int n = watchedLog.flush();
        trace("synced " + n + " append" + (n == 1 ? "" : "s"));
        replicas.get(watched).onDurable();
    }

    /** Runs the watched replica's waiting store work, answering each. */
    void apply() {
        if (effects.isEmpty()) {
            trace("nothing to apply");
        }
        while (!effects.isEmpty()) {
            effects.poll().run();
        }
    }

    /** Delivers, syncs and applies until nothing is left to do (timers aside). */
    void stabilize() {
        for (int round = 0; round < 1_000; round++) {
            boolean any = deliver(null, null, null) > 0;
            if (watchedLog.queued.size() > 0) {
                sync();
                any = true;
            }
            if (!effects.isEmpty()) {
                apply();
                any = true;
            }
            if (!any) {
                return;
            }
        }
        throw new IllegalStateException("the ring did not settle in 1,000 rounds");
    }

    /** Advances time by {@code micros}, firing the timers that fall due on the way. */
    void tick(long micros) {
        long until = now + micros;
        for (VirtualTimers.Fired fired = timers.pollDue(until); fired != null; fired = timers.pollDue(until)) {
            now = Math.max(now, fired.at());
            if (fired.replica() == watched) {
                trace("timer " + timerName(fired.key()) + " fired");
            }
            replicas.get(fired.replica()).onTimer(fired.key());
        }
        now = until;
    }

    /** Cuts {@code replica} off the network (its frames and those to it are dropped) or joins it again. */
    void isolate(int replica, boolean cut) {
        if (cut) {
            isolated.add(replica);
        } else {
            isolated.remove(replica);
        }
    }

    /** Crashes {@code replica}'s machine: unsynced log appends and store writes are lost; it restarts. */
    void crash(int replica) {
        if (replica == watched) {
            watchedLog.lose();
            trace("crashed; restarting");
        }
        stores.set(replica, stores.get(replica).crashed());
        timers.forget(replica);
        network.removeIf(e -> e.to() == replica);
        boot(replica);
    }

    /** One line of the watched replica's state. */
    void status() {
        ReplicaStatus s = replicas.get(watched).status();
        StringBuilder b = new StringBuilder("view " + s.view() + (s.viewChanging() ? " (changing)" : ""));
        for (ReplicaStatus.ColorStatus c : s.colors()) {
            b.append(", c").append(c.color()).append(" executed ").append(c.executed()).append(" stable ").append(c.stable());
        }
        b.append(", pending ").append(s.pendingUpdates()).append(", certificates ").append(s.certificatesAttached())
                .append(", uncertified ").append(s.uncertifiedVersions());
        trace(b.toString());
    }

    // ---- the environments ----

    private ReplicaEnv env(int self) {
        return new ReplicaEnv() {
            @Override
            public long nowMicros() {
                return now;
            }

            @Override
            public void send(int to, byte[] frame) {
                network.add(new Envelope(self, to, frame));
                if (self == watched) {
                    traceSend(to, frame);
                }
            }

            @Override
            public void setTimer(TimerKey key, long afterMicros) {
                timers.arm(self, key, now + afterMicros);
                if (self == watched) {
                    trace("timer " + timerName(key) + " set +" + afterMicros / 1_000 + "ms");
                }
            }

            @Override
            public void cancelTimer(TimerKey key) {
                if (timers.cancel(self, key) && self == watched) {
                    trace("timer " + timerName(key) + " cancelled");
                }
            }

            @Override
            public void durabilityAdvanced() {
                // The watched replica hears of durability from sync(); the others' appends are durable at once.
            }

            @Override
            public void reply(Hash32 updateDigest, byte[] signedReply, ostore.store.Outcome outcome) {
                if (self == watched) {
                    trace("-> client " + name(updateDigest));
                }
            }

            @Override
            public <T> void execute(int color, Supplier<T> apply, Consumer<T> done) {
                if (self != watched) {
                    done.accept(apply.get());
                    return;
                }
                trace("effect c" + color + " store work (waits for apply)");
                int incarnation = System.identityHashCode(replicas.get(self));
                effects.add(() -> {
                    if (System.identityHashCode(replicas.get(self)) == incarnation) {
                        trace("applied c" + color);
                        done.accept(apply.get());
                    }
                });
            }
        };
    }

    /** Collapses a broadcast (the same frame to every peer, sent in a row) into one line. */
    private Envelope pendingBroadcast;
    private int pendingCount;

    private void traceSend(int to, byte[] frame) {
        String line = describe(Frames.decodeAndVerify(frame, config).message());
        int peers = config.n() - 1;
        if (pendingBroadcast != null && Arrays.equals(pendingBroadcast.frame(), frame) && pendingCount < peers) {
            pendingCount++;
            if (pendingCount == peers) {
                // Replace the first peer's line by one for all.
                out.set(out.size() - 1, "-> all " + line);
                pendingBroadcast = null;
            }
            return;
        }
        pendingBroadcast = new Envelope(watched, to, frame);
        pendingCount = 1;
        out.add("-> r" + to + " " + line);
    }

    // ---- naming ----

    private String name(Hash32 digest) {
        String n = names.get(digest);
        return n != null ? n : HexFormat.of().formatHex(digest.toBytes(), 0, 4);
    }

    private String names(List<Hash32> digests) {
        return "[" + String.join(" ", digests.stream().map(this::name).toList()) + "]";
    }

    private String colorName(int color) {
        return color == config.colors() ? "ctl" : "c" + color;
    }

    private static String timerName(TimerKey key) {
        return switch (key.kind()) {
            case BATCH, FETCH -> key.kind() + "/c" + key.discriminator();
            case NEW_VIEW -> key.kind() + "/v" + key.discriminator();
            default -> key.kind().toString();
        };
    }

    String describe(Message m) {
        return switch (m) {
            case Message.PrePrepare p -> "PRE-PREPARE v" + p.view() + " c" + p.color() + " #" + p.seqno() + " " + names(p.digests());
            case Message.Prepare p -> "PREPARE v" + p.view() + " c" + p.color() + " #" + p.seqno() + " b:" + name(p.batchDigest());
            case Message.Commit c -> "COMMIT v" + c.view() + " c" + c.color() + " #" + c.seqno() + " b:" + name(c.batchDigest());
            case Message.BatchResult r -> "BATCH-RESULT c" + r.statement().color() + " #" + r.statement().seqno()
                    + " root:" + name(r.statement().resultsRoot());
            case Message.Checkpoint c -> "CHECKPOINT c" + c.color() + " #" + c.seqno() + " state:" + name(c.stateDigest());
            case Message.ViewChange v -> "VIEW-CHANGE v" + v.newView() + " " + v.colors().stream().map(c -> "c" + c.color()
                    + " stable #" + c.stableSeqno() + " prepared " + c.prepared().stream()
                    .map(p -> "#" + p.prePrepare().message().seqno()).toList()).toList();
            case Message.NewView n -> "NEW-VIEW v" + n.view() + " from " + n.viewChanges().stream().map(Signed::sender).sorted()
                    .toList() + " re-proposes " + n.prePrepares().stream().map(p -> "c" + p.message().color() + " #"
                    + p.message().seqno() + " " + (p.message().isNoOp() ? "no-op" : names(p.message().digests()))).toList();
            case Message.FetchPayloads f -> "FETCH-PAYLOADS " + names(f.digests());
            case Message.Payloads p -> "PAYLOADS " + p.signedUpdates().size();
            case Message.Request q -> "REQUEST " + names(q.digests());
            case Message.Suspect s -> "SUSPECT v" + s.view();
            case Message.FetchState f -> "FETCH-STATE c" + f.color() + " from #" + f.fromSeqno();
            case Message.State s -> "STATE c" + s.color() + " stable #" + s.stableSeqno() + " chained " + s.chained().size()
                    + " committed " + s.committed().size();
            case Message.FetchSnapshot f -> "FETCH-SNAPSHOT c" + f.color();
            case Message.Snapshot s -> "SNAPSHOT c" + s.color() + " at #" + s.stableSeqno();
            case Message.FetchCertificates f -> "FETCH-CERTIFICATES " + f.versions().size() + " version"
                    + (f.versions().size() == 1 ? "" : "s");
            case Message.Certificates c -> "CERTIFICATES " + c.certificates().size();
        };
    }

    private String describeRecords(int color, List<byte[]> records) {
        List<String> parts = new ArrayList<>();
        for (byte[] bytes : records) {
            parts.add(switch (LogRecords.decode(config, color, bytes)) {
                case LogRecords.Payload p -> "PAYLOAD " + name(TestUpdates.VERIFIER.verify(p.signedUpdate()).digest());
                case LogRecords.Accepted a -> "ACCEPTED #" + a.prePrepare().message().seqno() + " v" + a.prePrepare().message().view();
                case LogRecords.Prepared pr -> "PREPARED #" + pr.proof().prePrepare().message().seqno();
                case LogRecords.Committed c -> (c.commits().isEmpty() ? "COMMITTED #" : "COMMIT-PROOF #")
                        + c.prePrepare().message().seqno();
                case LogRecords.Executed e -> "EXECUTED #" + e.seqno();
                case LogRecords.Stable st -> "STABLE #" + st.seqno();
                case LogRecords.Adopted a -> "ADOPTED #" + a.seqno();
                case LogRecords.View v -> "VIEW " + v.view() + (v.changing() ? " changing" : "");
                case LogRecords.Batch b -> "BATCH #" + b.batch().seqno();
                case LogRecords.Started st -> "NEW-VIEW v" + st.newView().message().view();
            });
        }
        return String.join(" + ", parts);
    }
}
