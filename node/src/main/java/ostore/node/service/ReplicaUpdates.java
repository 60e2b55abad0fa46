package ostore.node.service;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.UpdateReply;
import ostore.crypto.Hash32;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultReply;
import ostore.ring.SubmittedUpdate;
import ostore.ring.log.LogStoreConfig;
import ostore.ring.runtime.ReplicaLoop;
import ostore.store.AuthenticatedUpdate;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.VersionStore;

/**
 * Updates on one replica of a BFT ring. The checked update goes to the local replica; the call
 * stays open until this replica executes it, and is then answered with this replica's signed
 * {@link ResultReply} plus the version and history entry from its own store, which the client
 * checks against the signed leaf. The client gathers f+1 such answers from distinct replicas.
 *
 * <p>A client retransmits when it has not heard from enough replicas, often after this replica
 * already answered into a closed call; so the last {@value #RECENT_REPLIES} signed replies are
 * kept and a retransmission is answered from them without troubling the replica.
 *
 * <p>An update from a client that did not send it to every replica itself (see {@link WriteAll}) is
 * forwarded to the peers once this replica has taken it, so that any one replica is a complete
 * entry point to the ring: the primary orders what a backup received.
 */
public final class ReplicaUpdates implements ReplicaLoop.Replies {
    private static final System.Logger LOG = System.getLogger(ReplicaUpdates.class.getName());
    static final int RECENT_REPLIES = 16_384;

    private record Waiter(AuthenticatedUpdate update, StreamObserver<UpdateReply> responses) {}

    private final VersionStore store;
    private final Executor executor;
    private final Consumer<SignedUpdate> forward;
    private final Function<byte[], List<byte[]>> toClients;
    private final ConcurrentHashMap<Hash32, List<Waiter>> waiting = new ConcurrentHashMap<>();
    private final Map<Hash32, byte[]> recent = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash32, byte[]> eldest) {
            return size() > RECENT_REPLIES;
        }
    };
    private volatile ReplicaLoop loop;
    private volatile WatchHub hub;

    /**
     * @param executor builds and sends replies off the replica's thread
     * @param forward sends a signed update to every peer, without waiting
     */
    public ReplicaUpdates(VersionStore store, Executor executor, Consumer<SignedUpdate> forward) {
        this(store, executor, forward, List::of);
    }

    /**
     * @param toClients the signed results a client gets in place of this replica's own: that one
     *     alone ({@code List::of}) on every replica but one started in a Byzantine test mode, whose
     *     clients get forged, garbled or no results (only the first of several is sent)
     */
    public ReplicaUpdates(VersionStore store, Executor executor, Consumer<SignedUpdate> forward,
            Function<byte[], List<byte[]>> toClients) {
        this.store = store;
        this.executor = executor;
        this.forward = forward;
        this.toClients = toClients;
    }

    /** Connects the running replica; updates are refused as UNAVAILABLE until then. */
    public void attach(ReplicaLoop replica) {
        this.loop = replica;
    }

    /** Orders {@code update} through the replica and answers on {@code responses}, now or later; never blocks long. */
    public void order(SignedUpdate request, AuthenticatedUpdate update, StreamObserver<UpdateReply> responses) {
        Optional<byte[]> known = recentReply(update.digest());
        if (known.isPresent()) {
            answer(new Waiter(update, responses), known.get(), null);
            return;
        }
        // No dry run of the engine: what a lagging replica could get wrong is ordered and answered by execution.
        Optional<Outcome.Rejected> rejected = store.precheckWithoutState(update).filter(ReplicaUpdates::sureBeforeOrdering);
        if (rejected.isPresent()) {
            responses.onError(Statuses.rejected(rejected.get()));
            return;
        }
        ReplicaLoop replica = loop;
        if (replica == null) {
            throw Statuses.status(Status.Code.UNAVAILABLE, "this replica has not started yet");
        }
        int size = request.getSerializedSize();
        if (size > replica.maxUpdateBytes()) {
            // A verdict on the update: every replica of the ring has the same record limit.
            throw Statuses.status(Status.Code.RESOURCE_EXHAUSTED, "SignedUpdate: " + size + " bytes exceeds the"
                    + " largest update this ring's logs hold (" + replica.maxUpdateBytes() + " bytes: records are at"
                    + " most a quarter of the log pool, -D" + LogStoreConfig.POOL_MIB_PROPERTY + ")");
        }
        Waiter waiter = new Waiter(update, responses);
        waiting.compute(update.digest(), (d, list) -> {
            List<Waiter> l = list != null ? list : new ArrayList<>(1);
            l.add(waiter);
            return l;
        });
        if (responses instanceof ServerCallStreamObserver<UpdateReply> call) {
            call.setOnCancelHandler(() -> forget(update.digest(), waiter));
        }
        // The reply may have fired between the first look and the registration.
        Optional<byte[]> raced = recentReply(update.digest());
        if (raced.isPresent() && forget(update.digest(), waiter)) {
            answer(waiter, raced.get(), null);
            return;
        }
        Optional<String> noRoom = replica.logRefusal();
        if (noRoom.isPresent()) {
            if (forget(update.digest(), waiter)) {
                // UNAVAILABLE, not RESOURCE_EXHAUSTED: the ring client takes RESOURCE_EXHAUSTED as a
                // verdict on the update itself, and this one may well be ordered by the others.
                responses.onError(Statuses.status(Status.Code.UNAVAILABLE, "replica " + replica.id() + " takes no new"
                        + " updates: " + noRoom.get() + "; retry shortly (the other replicas may take it)"));
            }
            return;
        }
        if (!replica.submit(new SubmittedUpdate(request.toByteArray(), update))) {
            if (forget(update.digest(), waiter)) {
                responses.onError(Statuses.status(Status.Code.UNAVAILABLE, "replica " + replica.id()
                        + " is not taking updates (stopped, its queue is full, or its log is behind); the other"
                        + " replicas may be"));
            }
            return;
        }
        if (!WriteAll.current()) {
            forward.accept(request);
        }
    }

    /**
     * Whether a refusal found before ordering holds whatever this replica has yet to execute. A
     * replica may lag the f+1 that answered a client's previous update by any number of batches,
     * so a refusal that depends on the object's state (unknown object, not a writer, an action
     * invalid for the current version, ...) could come from two correct but lagging replicas and
     * would then be taken by the client as the ring's answer. Those updates are ordered instead,
     * and their execution gives the signed outcome. What stays: refusals that depend on the update
     * alone, and a reused nonce, which a lagging replica cannot see falsely.
     */
    private static boolean sureBeforeOrdering(Outcome.Rejected r) {
        return switch (r.reason()) {
            case BAD_CREATION, NONCE_REUSED, LIMIT_EXCEEDED -> true;
            default -> false;
        };
    }

    /** Tells {@code watches} of every commit from now on. */
    void notifyCommits(WatchHub watches) {
        this.hub = watches;
    }

    /**
     * On the replica's thread, once per executed update, whether or not a client waits here; with
     * the outcome execution returned ({@code null} for a reply signed earlier or read back after a
     * crash, whose answer is then read from the store).
     */
    @Override
    public void reply(Hash32 updateDigest, byte[] signedReply, Outcome outcome) {
        synchronized (recent) {
            recent.put(updateDigest, signedReply);
        }
        List<Waiter> waiters = waiting.remove(updateDigest);
        ResultLeaf leaf = ResultReply.decode(signedReply).leaf();
        WatchHub watches = hub;
        if (watches != null && leaf.outcome() == ResultLeaf.COMMITTED) {
            watches.committed(leaf.aguid(), leaf.seq());
        }
        if (waiters != null) {
            waiters.forEach(w -> executor.execute(() -> answer(w, signedReply, outcome)));
        }
    }

    private Optional<byte[]> recentReply(Hash32 digest) {
        synchronized (recent) {
            return Optional.ofNullable(recent.get(digest));
        }
    }

    /** @return whether {@code waiter} was still waiting (and so is now this caller's to answer) */
    private boolean forget(Hash32 digest, Waiter waiter) {
        boolean[] removed = new boolean[1];
        waiting.computeIfPresent(digest, (d, list) -> {
            removed[0] = list.remove(waiter);
            return list.isEmpty() ? null : list;
        });
        return removed[0];
    }

    private void answer(Waiter w, byte[] signedReply, Outcome outcome) {
        try {
            UpdateReply reply = build(w.update(), signedReply, outcome);
            List<byte[]> sent = toClients.apply(signedReply);
            if (sent.isEmpty()) {
                return; // a silent test replica: the client's deadline ends the call
            }
            if (sent.getFirst() != signedReply) {
                reply = reply.toBuilder().setResultReply(ByteString.copyFrom(sent.getFirst())).build();
            }
            ObjectStoreService.reply(w.responses(), reply);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "answering update " + w.update().digest() + " failed", e);
            w.responses().onError(Statuses.toStatus("Update", e));
        }
    }

    /**
     * The client's answer: the signed result with the history entry and version root it names,
     * taken from the outcome execution returned. Without one (a retry's reply, or one read back
     * after a crash) they are read from the store, which has applied the update by the time its
     * reply fires (the replica executes, then signs).
     */
    private UpdateReply build(AuthenticatedUpdate update, byte[] signedReply, Outcome outcome) {
        ResultLeaf leaf = ResultReply.decode(signedReply).leaf();
        if (leaf.outcome() == ResultLeaf.REJECTED) {
            return UpdateReply.newBuilder().setOutcome(ostore.api.v1.Outcome.REJECTED)
                    .setResultReply(ByteString.copyFrom(signedReply)).build();
        }
        if (outcome != null && !(outcome instanceof Outcome.Rejected)) {
            return Replies.update(outcome).toBuilder().setResultReply(ByteString.copyFrom(signedReply)).build();
        }
        HistoryEntry entry = store.findByNonce(update.update().aguid(), update.writer(), update.update().nonce())
                .filter(e -> e.updateDigest().equals(update.digest()))
                .orElseThrow(() -> new IllegalStateException("update " + update.digest()
                        + " was executed but its history entry is missing"));
        return Replies.recorded(store, entry).setResultReply(ByteString.copyFrom(signedReply)).build();
    }
}
