package ostore.ring.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.ResultLeaf;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.store.Action;
import ostore.store.Clause;
import ostore.store.Comparison;
import ostore.store.Creation;
import ostore.store.Predicate;
import ostore.store.Update;

/**
 * A closed-loop client: one request at a time, sent to every replica (write-all), sent again to
 * all of them on a timeout that doubles, accepted once f+1 replicas' signed replies vouch for the
 * same result. It writes its own objects and a few shared ones (under a shared team key, with a
 * nonce range of its own) so requests contend.
 */
final class SimClient {
    /** Reads a replica's signed reply; empty unless it is well formed, for {@code digest} and signed by {@code replica}. */
    interface ReplyReader {
        Optional<ResultLeaf> read(int replica, Hash32 digest, byte[] reply);
    }

    /** @param payloadBytes bytes each update appends; 0 for a short text naming the client and request */
    record Params(int opsMax, long thinkMaxMicros, long retransmitMicros, long retransmitMaxMicros, int payloadBytes) {
        Params(int opsMax, long thinkMaxMicros, long retransmitMicros, long retransmitMaxMicros) {
            this(opsMax, thinkMaxMicros, retransmitMicros, retransmitMaxMicros, 0);
        }
    }

    private record Target(Aguid aguid, SigningKey writer, String name) {}

    private final int index;
    private final int node;
    private final int replicas;
    private final int weakQuorum;
    private final SigningKey own;
    private final SigningKey team;
    private final List<Target> targets = new ArrayList<>();
    private final SimNetwork network;
    private final EventQueue events;
    private final SplittableRandom random;
    private final ReplyReader replies;
    private final Workload workload;
    private final Params params;
    /** Per object, the latest seq this client has seen, absent until it has seen the object exist. */
    private final Map<Aguid, Long> seenSeq = new HashMap<>();
    private long nextNonce;
    private int issued;
    private boolean stopped;
    private ClientOp current;
    private byte[] currentBytes;
    private long retransmitGeneration;
    /** Result (as encoded leaf hex) to the replicas that vouched for it; insertion-ordered. */
    private final Map<String, TreeSet<Integer>> votes = new LinkedHashMap<>();

    /** Where clients register what they sign and record what they did, for the checkers. */
    interface Workload {
        void signed(SubmittedUpdate update);

        void invoked(ClientOp op);
    }

    SimClient(int index, int node, int replicas, int f, SigningKey own, SigningKey team, List<String> ownNames,
            List<String> sharedNames, SimNetwork network, EventQueue events, SplittableRandom random,
            ReplyReader replies, Workload workload, Params params) {
        this.index = index;
        this.node = node;
        this.replicas = replicas;
        this.weakQuorum = f + 1;
        this.own = own;
        this.team = team;
        this.network = network;
        this.events = events;
        this.random = random;
        this.replies = replies;
        this.workload = workload;
        this.params = params;
        for (String name : ownNames) {
            targets.add(new Target(Aguid.of(own.publicKey(), name), own, name));
        }
        for (String name : sharedNames) {
            targets.add(new Target(Aguid.of(team.publicKey(), name), team, name));
        }
        network.attach(node, this::onFrame);
    }

    void start() {
        events.after(random.nextLong(params.thinkMaxMicros() + 1), "client " + index + " first op", this::issue);
    }

    /** Stops issuing new requests; the one in flight carries on until it completes. */
    void stopIssuing() {
        stopped = true;
    }

    private void issue() {
        if (stopped || issued >= params.opsMax() || current != null) {
            return;
        }
        Target t = targets.get(random.nextInt(targets.size()));
        ClientOp.Kind kind = chooseKind(t);
        SubmittedUpdate signed = SimUpdateCodec.sign(t.writer(), update(t, kind));
        workload.signed(signed);
        current = new ClientOp(index, issued++, kind, t.aguid(), signed.decoded().digest(), events.nowMicros());
        currentBytes = signed.signedUpdate();
        votes.clear();
        workload.invoked(current);
        sendToAll(params.retransmitMicros());
    }

    private ClientOp.Kind chooseKind(Target t) {
        if (!seenSeq.containsKey(t.aguid())) {
            return ClientOp.Kind.CREATE_APPEND;
        }
        int roll = random.nextInt(10);
        return roll < 4 ? ClientOp.Kind.COMPARE_APPEND : roll < 7 ? ClientOp.Kind.APPEND : ClientOp.Kind.CREATE_APPEND;
    }

    private Update update(Target t, ClientOp.Kind kind) {
        // Team-key nonces carry the client index in the high bits, so clients sharing a key never collide.
        long nonce = t.writer() == team ? ((long) (index + 1) << 32) | nextNonce++ : nextNonce++;
        byte[] tag = ("c" + index + "#" + issued).getBytes(StandardCharsets.UTF_8);
        Action append = new Action.Append(Action.Data.of(params.payloadBytes() == 0 ? tag
                : Arrays.copyOf(tag, Math.max(tag.length, params.payloadBytes()))));
        return switch (kind) {
            case CREATE_APPEND -> new Update(t.aguid(), nonce, List.of(new Clause(new Predicate.Always(), List.of(append))),
                    Optional.of(new Creation(t.writer().publicKey(), t.name())));
            case COMPARE_APPEND -> new Update(t.aguid(), nonce,
                    List.of(new Clause(new Predicate.CompareVersion(Comparison.EQ, seenSeq.get(t.aguid())),
                            List.of(append))), Optional.empty());
            case APPEND -> new Update(t.aguid(), nonce, List.of(new Clause(new Predicate.Always(), List.of(append))),
                    Optional.empty());
        };
    }

    private void sendToAll(long nextTimeoutMicros) {
        for (int r = 0; r < replicas; r++) {
            network.send(node, r, currentBytes);
        }
        long generation = ++retransmitGeneration;
        events.after(nextTimeoutMicros, "client " + index + " timeout", () -> {
            if (current != null && generation == retransmitGeneration) {
                sendToAll(Math.min(2 * nextTimeoutMicros, params.retransmitMaxMicros()));
            }
        });
    }

    /** A reply frame: {@code [32 update digest][the replica's signed reply]}. */
    private void onFrame(int from, byte[] frame) {
        if (current == null || from >= replicas || frame.length < Hash32.LENGTH) {
            return;
        }
        Hash32 digest = Hash32.of(Arrays.copyOf(frame, Hash32.LENGTH));
        if (!digest.equals(current.digest)) {
            return;
        }
        Optional<ResultLeaf> leaf = replies.read(from, digest, Arrays.copyOfRange(frame, Hash32.LENGTH, frame.length));
        if (leaf.isEmpty()) {
            return;
        }
        TreeSet<Integer> vouching = votes.computeIfAbsent(leaf.get().hash().toHex(), k -> new TreeSet<>());
        vouching.add(from);
        if (vouching.size() >= weakQuorum) {
            accept(leaf.get());
        }
    }

    private void accept(ResultLeaf result) {
        current.complete(events.nowMicros(), result);
        if (result.outcome() != ResultLeaf.REJECTED) {
            seenSeq.merge(current.aguid, result.seq(), Math::max);
        }
        current = null;
        currentBytes = null;
        retransmitGeneration++;
        events.after(random.nextLong(params.thinkMaxMicros() + 1), "client " + index + " next op", this::issue);
    }

    /** Nothing in flight and nothing more to issue. */
    boolean finished() {
        return current == null && (stopped || issued >= params.opsMax());
    }
}
