package ostore.node.service;

import io.grpc.stub.StreamObserver;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.UpdateReply;
import ostore.store.AuthenticatedUpdate;

/**
 * How an admitted update (size, shape, signature and limits checked) gets ordered and answered:
 * through the single-replica ring ({@link SingleNodeUpdates}) or through this replica of a BFT
 * ring ({@link ReplicaUpdates}).
 */
interface UpdatePath {
    /** Orders {@code update} and answers on {@code responses}, now or later; must not block long. */
    void order(SignedUpdate request, AuthenticatedUpdate update, StreamObserver<UpdateReply> responses);

    /** Tells {@code hub} of every commit from now on. */
    void notifyCommits(WatchHub hub);
}
