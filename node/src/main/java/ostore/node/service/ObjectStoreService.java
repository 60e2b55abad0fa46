package ostore.node.service;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.Executor;
import ostore.api.v1.HistoryRequest;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.api.v1.ReadRequest;
import ostore.api.v1.ReadResponse;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.UpdateReply;
import ostore.api.v1.VersionRoot;
import ostore.api.v1.WatchRequest;
import ostore.node.wire.SignedUpdateDecoder;
import ostore.ring.Ring;
import ostore.ring.SubmittedUpdate;
import ostore.store.AuthenticatedUpdate;
import ostore.store.HistoryEntry;
import ostore.store.Limits;
import ostore.store.Outcome;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.UpdateValidator;
import ostore.store.VersionStore;

/**
 * The {@code ostore.v1.ObjectStore} service of one node. An update is checked completely before it
 * is ordered (size, shape, signature, limits, state), so bad input never reaches the log and
 * changes nothing; reads, history and watches go straight to the version store.
 */
public final class ObjectStoreService extends ObjectStoreGrpc.ObjectStoreImplBase implements AutoCloseable {
    private final VersionStore store;
    private final Ring ring;
    private final Limits limits;
    private final SignedUpdateDecoder decoder;
    private final WatchHub watches;

    /** @param watchExecutor runs watch deliveries off the ring's execution thread */
    public ObjectStoreService(VersionStore store, Ring ring, Limits limits, SignedUpdateDecoder decoder,
            Executor watchExecutor) {
        this.store = store;
        this.ring = ring;
        this.limits = limits;
        this.decoder = decoder;
        this.watches = new WatchHub(store, watchExecutor);
        ring.addExecutionListener(watches);
    }

    @Override
    public void update(SignedUpdate request, StreamObserver<UpdateReply> responses) {
        try {
            AuthenticatedUpdate update = admit(request);
            Optional<UpdateReply> recorded = recordedReply(update);
            if (recorded.isPresent()) {
                reply(responses, recorded.get());
                return;
            }
            Optional<Outcome.Rejected> rejected = store.precheck(update);
            if (rejected.isPresent()) {
                responses.onError(Statuses.rejected(rejected.get()));
                return;
            }
            // The envelope is serialized again here; the body inside it, which is what was signed
            // and hashed, is carried byte for byte.
            ring.submit(new SubmittedUpdate(request.toByteArray(), update))
                    .whenComplete((outcome, failure) -> answer(responses, outcome, failure));
        } catch (RuntimeException e) {
            responses.onError(Statuses.toStatus("Update", e));
        }
    }

    /**
     * Runs on the ring's execution thread; sending a reply does not block. Anything thrown here
     * would vanish into the future and leave the client waiting, so it becomes a status instead.
     */
    private static void answer(StreamObserver<UpdateReply> responses, Outcome outcome, Throwable failure) {
        if (failure != null) {
            responses.onError(Statuses.toStatus("Update", failure));
            return;
        }
        UpdateReply reply;
        try {
            if (outcome instanceof Outcome.Rejected rejected) {
                throw Statuses.rejected(rejected);
            }
            reply = Replies.update(outcome);
        } catch (RuntimeException e) {
            responses.onError(Statuses.toStatus("Update", e));
            return;
        }
        reply(responses, reply);
    }

    /** The state-free checks, cheapest first; the signature is checked once, here. */
    private AuthenticatedUpdate admit(SignedUpdate request) {
        int size = request.getSerializedSize();
        if (size > limits.maxUpdateBytes()) {
            throw Statuses.status(Status.Code.RESOURCE_EXHAUSTED, "SignedUpdate: " + size
                    + " bytes exceeds the maximum update size (" + limits.maxUpdateBytes() + " bytes)");
        }
        AuthenticatedUpdate update = decoder.verify(request);
        UpdateValidator.validate(update, limits);
        return update;
    }

    /**
     * A retry of an update the store already executed gets the recorded outcome without being
     * ordered again. An update that reuses the nonce with other content is left to {@code
     * precheck}, which refuses it.
     */
    private Optional<UpdateReply> recordedReply(AuthenticatedUpdate update) {
        return store.findByNonce(update.update().aguid(), update.writer(), update.update().nonce())
                .filter(entry -> entry.updateDigest().equals(update.digest()))
                .map(this::replyFor);
    }

    private UpdateReply replyFor(HistoryEntry entry) {
        UpdateReply.Builder reply = UpdateReply.newBuilder()
                .setOutcome(entry.committed() ? ostore.api.v1.Outcome.COMMITTED : ostore.api.v1.Outcome.ABORTED)
                .setEntry(Replies.entry(entry));
        if (entry.seq() > 0) {
            StoredVersion version = store.read(entry.aguid(), new Selector.BySeq(entry.seq())).orElseThrow(
                    () -> new IllegalStateException("history names version " + entry.seq() + " of " + entry.aguid()
                            + ", which is missing"));
            reply.setVersion(Replies.root(version));
        }
        return reply.build();
    }

    private static void reply(StreamObserver<UpdateReply> responses, UpdateReply reply) {
        responses.onNext(reply);
        responses.onCompleted();
    }

    @Override
    public void read(ReadRequest request, StreamObserver<ReadResponse> responses) {
        try {
            OutboundPump.start("Read", responses, ReadSource.open(store, request));
        } catch (RuntimeException e) {
            responses.onError(Statuses.toStatus("Read", e));
        }
    }

    @Override
    public void history(HistoryRequest request, StreamObserver<ostore.api.v1.HistoryEntry> responses) {
        try {
            OutboundPump.start("History", responses, HistorySource.open(store, request));
        } catch (RuntimeException e) {
            responses.onError(Statuses.toStatus("History", e));
        }
    }

    /**
     * A watch on an object that does not exist yet is allowed and waits for its creation: that is
     * how a reader follows an object a writer is about to make.
     */
    @Override
    public void watch(WatchRequest request, StreamObserver<VersionRoot> responses) {
        try {
            watches.watch(request, responses);
        } catch (RuntimeException e) {
            responses.onError(Statuses.toStatus("Watch", e));
        }
    }

    /** Ends open watches; the server's graceful shutdown then need not wait for them. */
    @Override
    public void close() {
        watches.close();
    }
}
