package ostore.node.service;

import io.grpc.stub.StreamObserver;
import java.util.Optional;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.UpdateReply;
import ostore.ring.Ring;
import ostore.ring.SubmittedUpdate;
import ostore.store.AuthenticatedUpdate;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;

/** Updates on a node that is a ring of one: the reply is the node's own outcome, unsigned. */
public final class SingleNodeUpdates implements UpdatePath {
    private final VersionStore store;
    private final Ring ring;

    public SingleNodeUpdates(VersionStore store, Ring ring) {
        this.store = store;
        this.ring = ring;
    }

    @Override
    public void order(SignedUpdate request, AuthenticatedUpdate update, StreamObserver<UpdateReply> responses) {
        Optional<UpdateReply> recorded = recordedReply(update);
        if (recorded.isPresent()) {
            ObjectStoreService.reply(responses, recorded.get());
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
    }

    @Override
    public void notifyCommits(WatchHub hub) {
        ring.addExecutionListener(hub);
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
        ObjectStoreService.reply(responses, reply);
    }

    /**
     * A retry of an update the store already executed gets the recorded outcome without being
     * ordered again. An update that reuses the nonce with other content is left to {@code
     * precheck}, which refuses it.
     */
    private Optional<UpdateReply> recordedReply(AuthenticatedUpdate update) {
        return store.findByNonce(update.update().aguid(), update.writer(), update.update().nonce())
                .filter(entry -> entry.updateDigest().equals(update.digest()))
                .map(entry -> Replies.recorded(store, entry).build());
    }
}
