package ostore.ring.bft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import ostore.crypto.Hash32;
import ostore.crypto.MerkleProof;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultReply;
import ostore.crypto.ResultStatement;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.ring.bft.Message.BatchResult;
import ostore.ring.bft.Message.Checkpoint;
import ostore.ring.bft.Message.Commit;
import ostore.ring.bft.Message.FetchPayloads;
import ostore.ring.bft.Message.NewView;
import ostore.ring.bft.Message.Payloads;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.Prepare;
import ostore.ring.bft.Message.PreparedProof;
import ostore.ring.bft.Message.ViewChange;
import ostore.ring.log.SharedLog;
import ostore.store.AuthenticatedUpdate;
import ostore.store.VersionStore;

/**
 * One inner-ring replica: PBFT over batches of update digests, per color, with payloads written
 * to every replica first (write-all) and fetched from peers when missing. Single-threaded: the
 * caller delivers client updates, verified messages and timers one at a time, and the replica acts
 * on the world only through {@link ReplicaEnv}, its shared log and its version store.
 *
 * <p>Safety rests on one rule: every record a message depends on is in the replica's log before
 * the message leaves ({@link ReplicaLog}).
 */
public final class Replica {
    private static final System.Logger LOG = System.getLogger(Replica.class.getName());

    record Payload(byte[] signedUpdate, AuthenticatedUpdate update) {}

    final RingConfig config;
    final int id;
    private final SigningKey key;
    final ReplicaEnv env;
    final ReplicaLog rlog;
    private final UpdateVerifier verifier;
    private final Executor executor;
    private final Certifier certifier;
    final Lane[] lanes;
    final Map<Hash32, Payload> payloads = new HashMap<>();
    /** Known, unexecuted updates by arrival time (oldest first): what a view change must save. */
    final LinkedHashMap<Hash32, Long> pending = new LinkedHashMap<>();
    final ViewChanger viewChanger;
    long view;
    boolean viewChanging;

    public Replica(RingConfig config, int id, SigningKey key, SharedLog log, VersionStore store,
            UpdateVerifier verifier, ReplicaEnv env) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.checkIndex(id, config.n());
        if (!key.publicKey().equals(config.key(id))) {
            throw new IllegalArgumentException("key " + key.publicKey() + " is not replica " + id + "'s");
        }
        this.id = id;
        this.key = key;
        this.env = Objects.requireNonNull(env, "env");
        this.rlog = new ReplicaLog(log, config);
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.executor = new Executor(store);
        this.certifier = new Certifier(config, store);
        this.lanes = new Lane[config.colors()];
        for (int c = 0; c < lanes.length; c++) {
            lanes[c] = new Lane(c);
        }
        this.viewChanger = new ViewChanger(this);
    }

    /** Rebuilds state from the log, replays what the store lost, and resumes. Call once, first. */
    public void start() {
        new Recovery(this, executor).run();
        armViewChangeTimer();
    }

    public int id() {
        return id;
    }

    boolean isPrimary() {
        return config.primary(view) == id;
    }

    /** An update whose client signature the edge has checked. */
    public void onClientUpdate(SubmittedUpdate u) {
        Hash32 digest = u.decoded().digest();
        if (payloads.containsKey(digest)) {
            return;
        }
        int color = config.colorOf(u.decoded().update().aguid());
        rlog.append(color, ReplicaLog.payload(u.signedUpdate()));
        addPayload(digest, new Payload(u.signedUpdate(), u.decoded()), color);
    }

    private void addPayload(Hash32 digest, Payload p, int color) {
        payloads.put(digest, p);
        pending.put(digest, env.nowMicros());
        if (isPrimary() && !viewChanging) {
            lanes[color].queue.add(digest);
            proposeReady(lanes[color], false);
        }
        armViewChangeTimer();
        retryAwaiting(lanes[color]);
    }

    public void onMessage(Signed<?> s) {
        switch (s.message()) {
            case PrePrepare m -> onPrePrepare(cast(s));
            case Prepare m -> onPrepare(cast(s));
            case Commit m -> onCommit(cast(s));
            case BatchResult m -> certifier.vote(cast(s));
            case Checkpoint m -> onCheckpoint(cast(s));
            case ViewChange m -> viewChanger.onViewChange(cast(s));
            case NewView m -> viewChanger.onNewView(cast(s));
            case FetchPayloads m -> onFetch(s.sender(), m);
            case Payloads m -> onPayloads(m);
        }
    }

    @SuppressWarnings("unchecked")
    private static <M extends Message> Signed<M> cast(Signed<?> s) {
        return (Signed<M>) s;
    }

    public void onTimer(TimerKey t) {
        switch (t.kind()) {
            case BATCH -> {
                Lane lane = lanes[(int) t.discriminator()];
                lane.batchTimerArmed = false;
                proposeReady(lane, true);
            }
            case VIEW_CHANGE -> viewChanger.onRequestTimeout();
            case NEW_VIEW -> viewChanger.onNewViewTimeout(t.discriminator());
            case FETCH -> refetch(lanes[(int) t.discriminator()]);
            case RETRANSMIT -> { }
        }
    }

    public ReplicaStatus status() {
        List<ReplicaStatus.ColorStatus> colors = new ArrayList<>();
        for (Lane l : lanes) {
            colors.add(new ReplicaStatus.ColorStatus(l.color, l.executed, l.stable));
        }
        return new ReplicaStatus(id, view, config.primary(view), viewChanging, colors, pending.size(),
                certifier.certificatesAttached());
    }

    void broadcast(Message m) {
        broadcastFrame(Frames.encode(m, id, key));
    }

    private void broadcastFrame(byte[] frame) {
        for (int to = 0; to < config.n(); to++) {
            if (to != id) {
                env.send(to, frame);
            }
        }
    }

    <M extends Message> Signed<M> sign(M m) {
        return Frames.sign(m, id, key);
    }

    // ---- the primary ----

    /** Cuts batches while there are digests and room in the window; a partial batch only when forced. */
    void proposeReady(Lane lane, boolean force) {
        while (isPrimary() && !viewChanging && !lane.queue.isEmpty()
                && lane.inWindow(lane.nextSeqno, config.params().watermarkWindow())) {
            if (lane.queue.size() < config.params().maxBatchSize() && !force) {
                if (!lane.batchTimerArmed) {
                    lane.batchTimerArmed = true;
                    env.setTimer(new TimerKey(TimerKey.Kind.BATCH, lane.color), config.params().batchWaitMicros());
                }
                return;
            }
            List<Hash32> digests = new ArrayList<>();
            while (!lane.queue.isEmpty() && digests.size() < config.params().maxBatchSize()) {
                Hash32 d = lane.queue.poll();
                if (pending.containsKey(d) && !digests.contains(d)) {
                    digests.add(d);
                }
            }
            if (!digests.isEmpty()) {
                long ts = Math.max(env.nowMicros(), lane.lastProposedTimestamp);
                lane.lastProposedTimestamp = ts;
                propose(lane, new PrePrepare(view, lane.color, lane.nextSeqno++, ts, digests));
            }
        }
    }

    void propose(Lane lane, PrePrepare pp) {
        Signed<PrePrepare> signed = sign(pp);
        rlog.append(lane.color, ReplicaLog.accepted(signed));
        lane.slot(pp.seqno()).accept(signed);
        broadcast(pp);
        checkPrepared(lane, lane.slot(pp.seqno()));
    }

    // ---- backups: pre-prepare, prepare, commit ----

    private void onPrePrepare(Signed<PrePrepare> s) {
        PrePrepare pp = s.message();
        if (pp.view() != view || viewChanging || s.sender() != config.primary(view) || pp.color() >= lanes.length) {
            return;
        }
        Lane lane = lanes[pp.color()];
        if (!lane.inWindow(pp.seqno(), config.params().watermarkWindow()) || !timestampAcceptable(lane, pp)) {
            return;
        }
        Slot slot = lane.slot(pp.seqno());
        if (slot.accepted() != null && slot.accepted().message().view() == pp.view()) {
            if (!slot.accepted().message().batchDigest().equals(pp.batchDigest())) {
                LOG.log(System.Logger.Level.WARNING, "replica {0}: primary {1} equivocated at color {2} seqno {3}",
                        id, s.sender(), pp.color(), pp.seqno());
            }
            return;
        }
        acceptWhenHeld(lane, slot, s);
    }

    private boolean timestampAcceptable(Lane lane, PrePrepare pp) {
        long skew = Math.abs(pp.timestampMicros() - env.nowMicros());
        return pp.digests().size() == pp.digests().stream().distinct().count()
                && skew <= config.params().maxSkewMicros() && pp.timestampMicros() >= lane.timestampFloor(pp.seqno());
    }

    /** Accepts {@code s} once every payload it orders is held; asks the sender for the rest. */
    void acceptWhenHeld(Lane lane, Slot slot, Signed<PrePrepare> s) {
        List<Hash32> missing = s.message().digests().stream().filter(d -> !payloads.containsKey(d)).toList();
        if (!missing.isEmpty()) {
            slot.awaitingPayloads = s;
            env.send(s.sender(), Frames.encode(new FetchPayloads(missing), id, key));
            env.setTimer(new TimerKey(TimerKey.Kind.FETCH, lane.color), config.params().viewChangeTimeoutMicros() / 4);
            return;
        }
        rlog.append(lane.color, ReplicaLog.accepted(s));
        slot.accept(s);
        if (s.sender() != id) {
            PrePrepare pp = s.message();
            Prepare p = new Prepare(pp.view(), pp.color(), pp.seqno(), pp.batchDigest());
            slot.addPrepare(sign(p));
            broadcast(p);
        }
        checkPrepared(lane, slot);
    }

    private void retryAwaiting(Lane lane) {
        for (Slot slot : List.copyOf(lane.slots.values())) {
            Signed<PrePrepare> s = slot.awaitingPayloads;
            if (s != null && s.message().view() == view && !viewChanging
                    && s.message().digests().stream().allMatch(payloads::containsKey)) {
                acceptWhenHeld(lane, slot, s);
            }
        }
    }

    private void refetch(Lane lane) {
        for (Slot slot : lane.slots.values()) {
            Signed<PrePrepare> s = slot.awaitingPayloads;
            if (s == null) {
                continue;
            }
            List<Hash32> missing = s.message().digests().stream().filter(d -> !payloads.containsKey(d)).toList();
            // The primary may be the one withholding them; every correct replica that prepared holds them.
            broadcast(new FetchPayloads(missing));
            env.setTimer(new TimerKey(TimerKey.Kind.FETCH, lane.color), config.params().viewChangeTimeoutMicros() / 4);
        }
    }

    private void onPrepare(Signed<Prepare> s) {
        Prepare p = s.message();
        if (p.view() != view || p.color() >= lanes.length
                || !lanes[p.color()].inWindow(p.seqno(), config.params().watermarkWindow())) {
            return;
        }
        Slot slot = lanes[p.color()].slot(p.seqno());
        slot.addPrepare(s);
        checkPrepared(lanes[p.color()], slot);
    }

    private void checkPrepared(Lane lane, Slot slot) {
        if (slot.accepted() == null || slot.preparedInCurrentView()) {
            checkCommitted(lane, slot);
            return;
        }
        List<Signed<Prepare>> prepares = slot.matchingPrepares(config.primary(view));
        if (prepares.size() < 2 * config.f()) {
            return;
        }
        PreparedProof proof = new PreparedProof(slot.accepted(), prepares.subList(0, 2 * config.f()));
        rlog.append(lane.color, ReplicaLog.prepared(proof));
        slot.setPrepared(proof);
        PrePrepare pp = slot.accepted().message();
        Commit c = new Commit(pp.view(), pp.color(), pp.seqno(), pp.batchDigest());
        slot.addCommit(sign(c));
        slot.sentCommit = true;
        broadcast(c);
        checkCommitted(lane, slot);
    }

    private void onCommit(Signed<Commit> s) {
        Commit c = s.message();
        if (c.view() != view || c.color() >= lanes.length
                || !lanes[c.color()].inWindow(c.seqno(), config.params().watermarkWindow())) {
            return;
        }
        Slot slot = lanes[c.color()].slot(c.seqno());
        slot.addCommit(s);
        checkCommitted(lanes[c.color()], slot);
    }

    private void checkCommitted(Lane lane, Slot slot) {
        if (!slot.preparedInCurrentView() || slot.committed() || slot.matchingCommits() < config.quorum()) {
            return;
        }
        rlog.append(lane.color, ReplicaLog.committed(slot.accepted()));
        slot.commit(slot.accepted().message());
        executeReady(lane);
    }

    // ---- execution, results, checkpoints ----

    void executeReady(Lane lane) {
        for (Slot next = lane.slots.get(lane.executed + 1); next != null && next.committed();
                next = lane.slots.get(lane.executed + 1)) {
            execute(lane, next.committedBatch());
        }
    }

    private void execute(Lane lane, PrePrepare batch) {
        assert batch.seqno() == lane.executed + 1 : "batches execute in seqno order";
        Executor.Executed done = executor.execute(batch, d -> payloads.get(d).update());
        finishBatch(lane, batch, done);
    }

    /** Everything after applying a batch: chain, log, sign, reply, checkpoint. */
    void finishBatch(Lane lane, PrePrepare batch, Executor.Executed done) {
        Hash32 state = Lane.chain(lane.stateDigest, lane.color, batch.seqno(), done.resultsRoot());
        rlog.append(lane.color, ReplicaLog.executed(batch.seqno(), done.resultsRoot(), state));
        lane.slots.get(batch.seqno()).resultsRoot = done.resultsRoot();
        advance(lane, batch, state);
        ResultStatement statement = new ResultStatement(config.epoch(), lane.color, batch.seqno(), done.resultsRoot());
        Signed<BatchResult> signed = sign(new BatchResult(statement));
        certifier.executed(statement, done.leaves(), signed);
        broadcastFrame(signed.frameUnsafe());
        reply(statement, done, signed);
        if (batch.seqno() % config.params().checkpointInterval() == 0) {
            Checkpoint c = new Checkpoint(lane.color, batch.seqno(), state);
            lane.ownCheckpoints.put(batch.seqno(), state);
            broadcast(c);
            onCheckpoint(sign(c));
        }
        armViewChangeTimer();
    }

    /** Moves the execution cursor past {@code batch}, whose results chain to {@code state}. */
    void advance(Lane lane, PrePrepare batch, Hash32 state) {
        lane.executed = batch.seqno();
        lane.stateDigest = state;
        Slot slot = lane.slots.get(batch.seqno());
        slot.stateDigest = state;
        if (!batch.isNoOp()) {
            lane.executedTimestamp = Math.max(lane.executedTimestamp, batch.timestampMicros());
        }
        batch.digests().forEach(pending::remove);
        viewChanger.progressed();
    }

    private void reply(ResultStatement statement, Executor.Executed done, Signed<BatchResult> signed) {
        byte[] frame = signed.frameUnsafe();
        byte[] signature = java.util.Arrays.copyOfRange(frame, frame.length - 64, frame.length);
        List<Hash32> hashes = done.leafHashes();
        for (int i = 0; i < done.leaves().size(); i++) {
            ResultLeaf leaf = done.leaves().get(i);
            ResultReply r = new ResultReply(leaf, MerkleProof.of(hashes, i), id, statement, signature);
            env.reply(leaf.updateDigest(), r.encode());
        }
    }

    private void onCheckpoint(Signed<Checkpoint> s) {
        Checkpoint c = s.message();
        if (c.color() >= lanes.length) {
            return;
        }
        Lane lane = lanes[c.color()];
        List<Signed<Checkpoint>> proof = lane.addCheckpointVote(s, config.quorum());
        if (proof != null && c.stateDigest().equals(lane.ownCheckpoints.get(c.seqno()))) {
            makeStable(lane, c.seqno(), c.stateDigest(), proof);
        }
    }

    /**
     * The checkpoint at {@code seqno} is stable: make the store durable, then rewrite the color's
     * log to what is still needed above it and trim the rest.
     */
    void makeStable(Lane lane, long seqno, Hash32 digest, List<Signed<Checkpoint>> proof) {
        assert seqno <= lane.executed : "a replica vouches only for state it has";
        executor.sync();
        lane.makeStable(seqno, digest, proof);
        certifier.forgetUpTo(lane.color, seqno - config.params().watermarkWindow());
        List<byte[]> carried = carried(lane);
        rlog.rewrite(lane.color, carried);
        forgetPayloads(lane);
        proposeReady(lane, false);
    }

    /** The records of {@code lane} that must outlive a trim at its stable checkpoint. */
    private List<byte[]> carried(Lane lane) {
        List<byte[]> out = new ArrayList<>();
        out.add(ReplicaLog.stable(lane.stable, lane.stableDigest, lane.stableProof));
        for (Slot s : lane.slots.values()) {
            if (s.accepted() != null) {
                s.accepted().message().digests().forEach(d -> out.add(ReplicaLog.payload(payloads.get(d).signedUpdate())));
                out.add(ReplicaLog.accepted(s.accepted()));
            }
            if (s.prepared() != null) {
                s.prepared().prePrepare().message().digests()
                        .forEach(d -> out.add(ReplicaLog.payload(payloads.get(d).signedUpdate())));
                out.add(ReplicaLog.prepared(s.prepared()));
            }
            if (s.committed()) {
                out.add(ReplicaLog.committed(s.prepared().prePrepare()));
            }
            if (s.resultsRoot != null) {
                out.add(ReplicaLog.executed(s.seqno, s.resultsRoot, s.stateDigest));
            }
        }
        for (Hash32 d : pending.keySet()) {
            Payload p = payloads.get(d);
            if (config.colorOf(p.update().update().aguid()) == lane.color) {
                out.add(ReplicaLog.payload(p.signedUpdate()));
            }
        }
        return out;
    }

    /** Drops the payloads of {@code lane} that no slot above the stable checkpoint and no pending request needs. */
    private void forgetPayloads(Lane lane) {
        java.util.Set<Hash32> live = new java.util.HashSet<>(pending.keySet());
        for (Slot s : lane.slots.values()) {
            if (s.accepted() != null) {
                live.addAll(s.accepted().message().digests());
            }
            if (s.prepared() != null) {
                live.addAll(s.prepared().prePrepare().message().digests());
            }
        }
        payloads.entrySet().removeIf(e -> !live.contains(e.getKey())
                && config.colorOf(e.getValue().update().update().aguid()) == lane.color);
    }

    // ---- payload fetch ----

    private void onFetch(int from, FetchPayloads m) {
        List<byte[]> found = new ArrayList<>();
        for (Hash32 d : m.digests()) {
            Payload p = payloads.get(d);
            if (p != null) {
                found.add(p.signedUpdate());
            }
        }
        if (!found.isEmpty()) {
            env.send(from, Frames.encode(new Payloads(found), id, key));
        }
    }

    private void onPayloads(Payloads m) {
        for (byte[] bytes : m.signedUpdates()) {
            AuthenticatedUpdate u;
            try {
                u = verifier.verify(bytes);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "replica {0}: dropped a fetched payload: {1}", id, e.getMessage());
                continue;
            }
            if (!payloads.containsKey(u.digest()) && isAwaited(u.digest())) {
                onClientUpdate(new SubmittedUpdate(bytes, u));
            }
        }
    }

    private boolean isAwaited(Hash32 digest) {
        for (Lane lane : lanes) {
            for (Slot s : lane.slots.values()) {
                Signed<PrePrepare> pp = s.awaitingPayloads;
                if (pp != null && pp.message().digests().contains(digest)) {
                    return true;
                }
            }
        }
        return false;
    }

    AuthenticatedUpdate verifierDecode(byte[] signedUpdate) {
        return verifier.verify(signedUpdate);
    }

    void armViewChangeTimer() {
        viewChanger.armRequestTimer();
    }
}
