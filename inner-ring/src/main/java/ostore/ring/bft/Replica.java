package ostore.ring.bft;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import ostore.crypto.Hash32;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.ring.bft.Message.BatchResult;
import ostore.ring.bft.Message.Commit;
import ostore.ring.bft.Message.FetchPayloads;
import ostore.ring.bft.Message.NewView;
import ostore.ring.bft.Message.Payloads;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.Prepare;
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
    /**
     * Executed batches each color keeps below its stable checkpoint by default (with their
     * payloads, in memory and across log trims) so that a replica that fell behind can catch up
     * from the log; {@link RingConfig.Params#retainedBelowStable()} sets it per ring.
     */
    static final int RETAINED_BELOW_STABLE = RingConfig.Params.RETAINED_BELOW_STABLE;
    /** Signed replies kept for clients that ask again because a reply was lost. */
    static final int REPLY_CACHE_ENTRIES = 1 << 14;

    final RingConfig config;
    final int id;
    private final SigningKey key;
    /** The driver's environment behind {@link #gate}: every output waits for the log records it depends on. */
    final ReplicaEnv env;
    private final OutputGate gate;
    final ReplicaLog rlog;
    /** The largest signed update this replica's log holds ({@link #maxUpdateBytes()}). */
    private final int largestUpdate;
    private final UpdateVerifier verifier;
    private final Executor executor;
    private final Certifier certifier;
    final Checkpointer checkpointer;
    final StateTransfer stateTransfer;
    final SnapshotTransfer snapshotTransfer;
    final Retransmitter retransmitter;
    final PayloadFetcher payloadFetcher;
    private final BatchExecution execution;
    /** The view, the status, the lanes and the updates held: changed only through its transitions. */
    final ReplicaState state;
    final ViewChanger viewChanger;
    /** PRE-PREPARE, PREPARE and COMMIT: proposing as primary, agreeing as backup. */
    final Agreement agreement;

    public Replica(RingConfig config, int id, SigningKey key, SharedLog log, VersionStore store,
            UpdateVerifier verifier, ReplicaEnv env) {
        this(config, id, key, log, store, verifier, env, StateServer.PAGE_BYTES);
    }

    /** As above, with state-transfer pages (and fetched payload answers) of about {@code statePageBytes}. */
    Replica(RingConfig config, int id, SigningKey key, SharedLog log, VersionStore store,
            UpdateVerifier verifier, ReplicaEnv env, int statePageBytes) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.checkIndex(id, config.n());
        if (!key.publicKey().equals(config.key(id))) {
            throw new IllegalArgumentException("key " + key.publicKey() + " is not replica " + id + "'s");
        }
        this.id = id;
        this.key = key;
        Objects.requireNonNull(env, "env");
        this.rlog = new ReplicaLog(log, config);
        this.largestUpdate = LogRecords.largestPayload(log);
        rlog.onDurable(env::durabilityAdvanced);
        this.gate = new OutputGate(env, rlog);
        this.env = gate;
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.executor = new Executor(store);
        this.state = new ReplicaState(config, id);
        this.certifier = new Certifier(this, executor, store);
        this.viewChanger = new ViewChanger(this);
        this.agreement = new Agreement(this);
        this.checkpointer = new Checkpointer(this, executor, certifier);
        this.stateTransfer = new StateTransfer(this, statePageBytes);
        this.snapshotTransfer = new SnapshotTransfer(this, store, statePageBytes);
        this.retransmitter = new Retransmitter(this);
        this.payloadFetcher = new PayloadFetcher(this);
        this.execution = new BatchExecution(this, executor, certifier);
    }

    /** Rebuilds state from the log, replays what the store lost, and resumes. Call once, first. */
    public void start() {
        event(() -> {
            // Which batches left versions uncertified: recovery keeps them in the history to vote again from.
            certifier.scanMarks();
            new Recovery(this, executor, certifier).run();
            viewChanger.resumeAfterRecovery();
            armViewChangeTimer();
            retransmitter.start();
            // The ring may have moved on while this replica was down; ask at once rather than wait for a round.
            for (Lane lane : state.lanes()) {
                stateTransfer.fetch(lane);
            }
        });
    }

    SigningKey key() {
        return key;
    }

    /**
     * Sets how many bytes the log takes in (all colors together) before a color that no checkpoint
     * trimmed has its records moved up, so the log can free the space below them; default {@value
     * LogTrimmer#COMPACT_AFTER_BYTES}. The simulator makes it small so its short runs move records often.
     */
    public void compactLogAfterBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes (" + bytes + ") must be >= 1");
        }
        checkpointer.trimmer.compactAfterBytes = bytes;
    }

    /** Whether {@link #takeUpdate} refuses updates for want of log space now (logged once each way). */
    private boolean refusingPayloads;

    /** Update bytes after which a color checkpoints ({@link Lane#CHECKPOINT_BYTES}); see {@link #checkpointAfterBytes}. */
    long checkpointBytes = Lane.CHECKPOINT_BYTES;

    /**
     * Sets the update bytes after which a color checkpoints whatever its batch count (default
     * {@value Lane#CHECKPOINT_BYTES}). Where checkpoints fall is part of the protocol: every
     * replica of a ring must use the same value. The simulator makes it small so that its runs,
     * whose updates are a few bytes, checkpoint at seqnos the batch count alone would not choose.
     */
    public void checkpointAfterBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes (" + bytes + ") must be >= 1");
        }
        checkpointBytes = bytes;
    }

    /**
     * Some record this replica appended without waiting is now durable: sends what waited for it
     * and runs the committed batches whose COMMIT-PROOF it was. The driver calls this on the
     * replica's thread after {@link ReplicaEnv#durabilityAdvanced()}.
     *
     * @throws IllegalStateException if an append failed: the replica must stop
     */
    public void onDurable() {
        event(() -> {
            gate.release();
            rlog.trimDurable();
            stateTransfer.durable();
            snapshotTransfer.durable();
            for (Lane lane : state.lanes()) {
                executeReady(lane);
            }
        });
    }

    public int id() {
        return id;
    }

    boolean isPrimary() {
        return state.isPrimary();
    }

    /**
     * An update whose client signature the edge has checked. A client sends an update again when
     * its reply was lost: if this replica executed it and still holds the reply, it answers again.
     * Once the reply is gone (evicted, or lost with a restart) the update is ordered again; the
     * version store executes an (aguid, writer, nonce) at most once and returns the first outcome,
     * so the new reply, signed for the new batch, reports the same result.
     */
    public void onClientUpdate(SubmittedUpdate u) {
        event(() -> {
            Hash32 digest = u.decoded().digest();
            byte[] reply = execution.cachedReply(digest);
            if (reply != null) {
                env.reply(digest, reply, null);
            } else {
                takeUpdate(u);
            }
        });
    }

    /**
     * True while this replica is behind the ring in {@code lane}'s color (a stable checkpoint above
     * what it executed, or a store snapshot being installed): the ring may have executed the color's
     * waiting requests long ago, so they say nothing about the primary. It takes no new updates of
     * the color ({@link #takeUpdate}), neither relays those it holds (a stranded replica may hold
     * thousands, and naming them every half timeout would fill a slow link) nor suspects over them;
     * it suspects only if f+1 others do.
     */
    boolean catchingUp(Lane lane) {
        return lane.behind() || snapshotTransfer.active(lane.color);
    }

    /**
     * Whether the log has room for an update of {@code bytes} below {@link ReplicaLog#TAKE_SHARE},
     * for any path that logs one (a client's, a fetched one, one state transfer brings). Says so in
     * one line when that changes.
     */
    boolean roomForUpdate(int bytes) {
        boolean room = rlog.roomFor(bytes, ReplicaLog.TAKE_SHARE);
        if (room == refusingPayloads) {
            refusingPayloads = !room;
            if (room) {
                LOG.log(System.Logger.Level.INFO, "replica {0}: its log has room again ({1}): it logs updates again", id,
                        rlog.fill());
            } else {
                LOG.log(System.Logger.Level.WARNING, "replica {0}: its log is over seven eighths full ({1}): it logs"
                        + " no more updates, not even those a batch orders, until a checkpoint trims it", id, rlog.fill());
            }
        }
        return room;
    }

    /** Logs and keeps an update not held yet; the primary queues it for a batch. */
    void takeUpdate(SubmittedUpdate u) {
        Hash32 digest = u.decoded().digest();
        if (state.holds(digest)) {
            return;
        }
        if (u.signedUpdate().length > largestUpdate) {
            // Only through a peer whose log takes larger records (a node's edge refuses them, see
            // largestUpdate): a ring's replicas must share one record limit, docs/operations.md.
            LOG.log(System.Logger.Level.WARNING, "replica {0}: dropped update {1} of {2} bytes: its log takes"
                    + " updates of at most {3} bytes", id, digest, u.signedUpdate().length, largestUpdate);
            return;
        }
        Lane lane = state.lane(config.colorOf(u.decoded().update().aguid()));
        if (catchingUp(lane)) {
            // It could neither order nor run it before it caught up, and a long catch-up would fill
            // the log with updates the ring ordered meanwhile; once caught up it fetches what it lacks.
            return;
        }
        if (!roomForUpdate(u.signedUpdate().length)) {
            // As if it never came: a batch that orders it waits here (the fetch is asked again) while
            // the others order and execute it; this replica catches up once a checkpoint trims its log.
            return;
        }
        lane.positions().notePayload(digest, rlog.nextPosition(lane.color));
        rlog.appendPipelined(lane.color, LogRecords.payload(u.signedUpdate()));
        state.hold(digest, new ReplicaState.Payload(u.signedUpdate(), u.decoded()), env.nowMicros());
        if (state.orders()) {
            lane.proposals().enqueue(digest);
            agreement.proposeReady(lane, false);
        }
        armViewChangeTimer();
        payloadFetcher.retryAwaiting(lane);
        // A committed batch may have been waiting for exactly this payload.
        executeReady(lane);
    }

    /**
     * Updates a peer relayed because they waited at it (see {@link ViewChanger}): those this
     * replica does not hold are fetched from the peer and taken as if their client had sent them
     * here ({@link PayloadFetcher#fetchRelayed}), even one it executed and no longer holds: the
     * peer waits for it, so it is ordered again (the version store answers it with its first outcome).
     */
    private void onRelayed(int from, Message.Request m) {
        if (logRefusal().isPresent()) {
            // Takes no new updates, relayed or not, until a checkpoint trims the log; the peer relays again.
            return;
        }
        List<Hash32> missing = m.digests().stream().filter(d -> !state.holds(d)).toList();
        if (!missing.isEmpty()) {
            payloadFetcher.fetchRelayed(from, missing);
        }
    }

    public void onMessage(Signed<?> s) {
        event(() -> {
            switch (s.message()) {
                case PrePrepare m -> {
                    viewChanger.peerVoted(s.sender(), m.view());
                    agreement.onPrePrepare(cast(s));
                }
                case Prepare m -> {
                    viewChanger.peerVoted(s.sender(), m.view());
                    agreement.onPrepare(cast(s));
                }
                case Commit m -> {
                    viewChanger.peerVoted(s.sender(), m.view());
                    agreement.onCommit(cast(s));
                }
                case BatchResult m -> certifier.vote(cast(s));
                case Message.Checkpoint m -> checkpointer.onCheckpoint(cast(s));
                case ViewChange m -> viewChanger.onViewChange(cast(s));
                case NewView m -> viewChanger.onNewView(cast(s));
                case FetchPayloads m -> payloadFetcher.onFetch(s.sender(), m);
                case Payloads m -> payloadFetcher.onPayloads(m);
                case Message.FetchState m -> stateTransfer.onFetchState(s.sender(), m);
                case Message.State m -> stateTransfer.onState(s.sender(), m);
                case Message.FetchSnapshot m -> snapshotTransfer.onFetchSnapshot(s.sender(), m);
                case Message.Snapshot m -> snapshotTransfer.onSnapshot(s.sender(), m);
                case Message.Request m -> onRelayed(s.sender(), m);
                case Message.Suspect m -> viewChanger.suspicions.onSuspect(cast(s));
                case Message.FetchCertificates m -> certifier.onFetchCertificates(s.sender(), m);
                case Message.Certificates m -> certifier.onCertificates(s.sender(), m);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static <M extends Message> Signed<M> cast(Signed<?> s) {
        return (Signed<M>) s;
    }

    public void onTimer(TimerKey t) {
        event(() -> {
            switch (t.kind()) {
                case BATCH -> {
                    Lane lane = state.lane((int) t.discriminator());
                    lane.proposals().batchTimerFired();
                    agreement.proposeReady(lane, true);
                }
                case VIEW_CHANGE -> viewChanger.suspicions.onRequestTimeout();
                case NEW_VIEW -> viewChanger.onNewViewTimeout(t.discriminator());
                case FETCH -> payloadFetcher.refetch(state.lane((int) t.discriminator()));
                case RETRANSMIT -> retransmitter.onTimer();
            }
        });
    }

    /** How many events are being handled: a driver may answer an effect at once, inside the event that asked for it. */
    private int eventDepth;

    /**
     * Handles one event: a message, a timer, a client update, durable log records, or the answer
     * to an effect ({@link ReplicaEnv#execute}). The state's invariants are checked after it, once
     * the outermost event is done (a driver that answers at once nests one event in another).
     */
    void event(Runnable handle) {
        eventDepth++;
        try {
            handle.run();
        } finally {
            eventDepth--;
        }
        if (eventDepth == 0) {
            state.invariants();
        }
    }

    public ReplicaStatus status() {
        List<ReplicaStatus.ColorStatus> colors = new ArrayList<>();
        for (Lane l : state.lanes()) {
            colors.add(new ReplicaStatus.ColorStatus(l.color, l.executed(), l.stable(),
                    stateTransfer.stranded(l.color) || snapshotTransfer.active(l.color)));
        }
        return new ReplicaStatus(id, state.view(), config.primary(state.view()), state.viewChanging(), colors,
                state.pending().size(), certificatesAttached(), executor.uncertifiedCount(),
                new ReplicaStatus.Log(rlog.bytesTaken(), rlog.capacityBytes(), logRefusal().orElse("")));
    }

    void broadcast(Message m) {
        broadcastFrame(Frames.encode(m, id, key));
    }

    void broadcastFrame(byte[] frame) {
        relayFrame(frame, id);
    }

    /** Sends a peer's signed {@code frame} on to every replica but this one and its signer, which has it. */
    void relayFrame(byte[] frame, int signer) {
        for (int to = 0; to < config.n(); to++) {
            if (to != id && to != signer) {
                env.send(to, frame);
            }
        }
    }

    <M extends Message> Signed<M> sign(M m) {
        return Frames.sign(m, id, key);
    }

    // ---- execution and results: BatchExecution ----

    /** Starts the next committed batch of {@code lane} unless one of the color is executing ({@link BatchExecution}). */
    void executeReady(Lane lane) {
        execution.executeReady(lane);
    }

    /** Runs a batch state transfer verified below the stable checkpoint, as an effect ({@link BatchExecution}). */
    void executeTransferred(Lane lane, PrePrepare batch, Hash32 resultsRoot) {
        execution.executeTransferred(lane, batch, resultsRoot);
    }

    /** Everything after applying a batch; @return the nanoseconds spent signing and replying (statistics). */
    long finishBatch(Lane lane, PrePrepare batch, Executor.Executed done) {
        return execution.finishBatch(lane, batch, done);
    }

    /** Moves the execution cursor past {@code batch}, whose results chain to {@code state}. */
    void advance(Lane lane, PrePrepare batch, Hash32 state, Hash32 resultsRoot) {
        execution.advance(lane, batch, state, resultsRoot);
    }

    /**
     * Bytes this replica has appended to its log without waiting that are not durable yet. Safe to
     * read from any thread: a driver stops taking client updates while it is high (the disk lags),
     * so memory between input and fsync stays bounded.
     */
    public long unsyncedLogBytes() {
        return rlog.unsyncedBytes();
    }

    /**
     * When (System.nanoTime) the oldest log append or trim this replica queued without waiting, and
     * that has not completed, was queued ({@link ReplicaLog#unsyncedSinceNanos}): a driver's
     * watchdog stops a replica whose disk stalls. Safe to read from any thread.
     */
    public java.util.OptionalLong unsyncedLogSinceNanos() {
        return rlog.unsyncedSinceNanos();
    }

    /**
     * The largest signed update this replica's log holds: one PAYLOAD record
     * ({@link LogRecords#largestPayload}). A node refuses a larger one at its edge; a smaller log
     * pool means smaller updates. Thread-safe.
     */
    public int maxUpdateBytes() {
        return largestUpdate;
    }

    /**
     * Why this replica takes no new client updates for want of log space, if it does not ({@link
     * ReplicaLog#admissionRefusal}); past {@link ReplicaLog#TAKE_SHARE} it logs no update at all,
     * not even one a batch orders ({@link #takeUpdate}). Thread-safe.
     */
    public Optional<String> logRefusal() {
        return rlog.admissionRefusal();
    }

    /** Where this replica's time went for what it executed (statistics only, see {@link PhaseTotals}). */
    public PhaseTotals phases() {
        return execution.phases();
    }

    /**
     * Forgets the results of {@code color} still waiting for certificates: its store was cleared
     * for a snapshot, so the versions they would certify are gone (the snapshot brings its own).
     */
    void forgetUncertified(int color) {
        certifier.forgetUpTo(color, Long.MAX_VALUE);
    }

    AuthenticatedUpdate verifierDecode(byte[] signedUpdate) {
        return verifier.verify(signedUpdate);
    }

    /** Recovery re-ran or read back {@code batch}: votes again if a version it committed lacks a certificate. */
    void recovered(Lane lane, PrePrepare batch, Executor.Executed done) {
        certifier.recovered(lane, batch, done);
    }

    /** A retransmission round: gathers certificates the store still lacks ({@link Certifier#repair}). */
    void repairCertificates(long roundMicros) {
        certifier.repair(roundMicros);
    }

    /** Certificates this replica has written to its store since it started. */
    long certificatesAttached() {
        return certifier.certificatesAttached();
    }

    int retainedResultVotes() {
        return certifier.retainedVotes();
    }

    void armViewChangeTimer() {
        viewChanger.suspicions.armRequestTimer();
    }
}
