package ostore.node.service;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
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
import ostore.store.AuthenticatedUpdate;
import ostore.store.Limits;
import ostore.store.UpdateValidator;
import ostore.store.VersionStore;

/**
 * The {@code ostore.v1.ObjectStore} service of one replica of a ring (a single node is a ring of one). An update
 * is checked completely before it is ordered (size, shape, signature, limits, state), so bad input
 * never reaches the log and changes nothing; reads, history and watches go straight to the local
 * version store, and a read's root carries the ring's certificate: on a replica, a read of a version
 * whose certificate is still being gathered waits for it briefly ({@link CertificateWait}).
 */
public final class ObjectStoreService extends ObjectStoreGrpc.ObjectStoreImplBase implements AutoCloseable {
    private final VersionStore store;
    private final ReplicaUpdates updates;
    private final Limits limits;
    private final SignedUpdateDecoder decoder;
    private final WatchHub watches;
    /** Reads of a version whose certificate is still being gathered wait for it. */
    private final CertificateWait certificates;

    /**
     * The service of one replica of a ring (of one, for a single node).
     *
     * @param watchExecutor runs watch deliveries off the ordering layer's threads
     */
    public ObjectStoreService(VersionStore store, ReplicaUpdates updates, Limits limits, SignedUpdateDecoder decoder,
            Executor watchExecutor) {
        this.store = store;
        this.certificates = new CertificateWait(store);
        this.updates = updates;
        this.limits = limits;
        this.decoder = decoder;
        this.watches = new WatchHub(store, watchExecutor);
        updates.notifyCommits(watches);
    }

    @Override
    public void update(SignedUpdate request, StreamObserver<UpdateReply> responses) {
        try {
            updates.order(request, admit(request), responses);
        } catch (RuntimeException e) {
            responses.onError(Statuses.toStatus("Update", e));
        }
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

    static void reply(StreamObserver<UpdateReply> responses, UpdateReply reply) {
        responses.onNext(reply);
        responses.onCompleted();
    }

    @Override
    public void read(ReadRequest request, StreamObserver<ReadResponse> responses) {
        try {
            ReadSource source = ReadSource.open(store, request);
            OutboundPump.startWhen(certificates.certified(source.aguid(), source.seq()), "Read", responses, source);
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
        certificates.close();
    }
}
