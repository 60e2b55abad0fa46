package ostore.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import ostore.api.Protos;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.Update;
import ostore.api.v1.UpdateReply;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultReply;

/**
 * Submits one signed update to a ring and decides its outcome the way PBFT's clients do: the
 * update goes to every replica, and the outcome is the one that f+1 distinct replicas sign
 * (equal {@link ResultLeaf}s whose {@link ResultReply} verifies under that replica's key), since
 * at least one of any f+1 is correct. Without a decision within the attempt timeout the update
 * is sent again to every replica that has not yet signed a result. An update the replicas refuse
 * before ordering (an unsigned gRPC error) fails once f+1 replicas refuse it with the same code.
 */
final class RingUpdater {
    private final RingSpec ring;
    private final List<ObjectStoreGrpc.ObjectStoreStub> stubs;
    private final RingPolicy policy;

    RingUpdater(RingSpec ring, List<ObjectStoreGrpc.ObjectStoreStub> stubs, RingPolicy policy) {
        this.ring = ring;
        this.stubs = List.copyOf(stubs);
        this.policy = policy;
        assert stubs.size() == ring.n() : "one stub per replica";
    }

    UpdateResult submit(Update update, SignedUpdate signed) {
        Tally tally = new Tally(update, signed);
        long timeoutMillis = policy.attemptTimeout().toMillis();
        for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
            for (int i = 0; i < ring.n(); i++) {
                if (tally.needsSend(i)) {
                    send(i, signed, tally);
                }
            }
            try {
                return tally.decided.get(timeoutMillis, TimeUnit.MILLISECONDS).get();
            } catch (TimeoutException e) {
                // Retransmit: a replica may have been down, or its reply lost with the connection.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OstoreException(Status.Code.CANCELLED, "interrupted while waiting for the ring", e);
            } catch (ExecutionException e) {
                throw new AssertionError("decisions complete normally", e);
            }
        }
        throw tally.unavailable();
    }

    private void send(int replica, SignedUpdate signed, Tally tally) {
        stubs.get(replica).withDeadlineAfter(policy.attemptTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .update(signed, new StreamObserver<>() {
                    @Override
                    public void onNext(UpdateReply reply) {
                        tally.replied(replica, reply);
                    }

                    @Override
                    public void onError(Throwable t) {
                        tally.failed(replica, Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        // onNext carried the reply; a unary call has exactly one.
                    }
                });
    }

    /** Codes that say the update itself is wrong, so a correct replica gives them every time. */
    private static boolean definite(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS,
                    RESOURCE_EXHAUSTED, OUT_OF_RANGE -> true;
            default -> false;
        };
    }

    /** The status a rejection code (the ring's stable numbering) stands for. */
    static Status.Code rejectionCode(int rejection) {
        return switch (rejection) {
            case 1 -> Status.Code.NOT_FOUND;
            case 2, 3 -> Status.Code.PERMISSION_DENIED;
            case 4, 5 -> Status.Code.INVALID_ARGUMENT;
            case 6 -> Status.Code.FAILED_PRECONDITION;
            case 7 -> Status.Code.ALREADY_EXISTS;
            case 8 -> Status.Code.RESOURCE_EXHAUSTED;
            default -> Status.Code.INTERNAL;
        };
    }

    private static final String[] REJECTIONS = {"", "unknown object", "not a writer", "not the owner",
        "bad creation", "invalid action", "encrypted object", "nonce reused", "limit exceeded"};

    /** What each replica answered so far; its methods run on gRPC's threads. */
    private final class Tally {
        private final Update update;
        private final SignedUpdate signed;
        private final Hash32 digest;
        private final Aguid aguid;
        private final Map<Integer, ResultLeaf> leaves = new TreeMap<>();
        private final Map<Integer, UpdateReply> replies = new TreeMap<>();
        private final Map<Integer, Status> refusals = new TreeMap<>();
        private final Map<Integer, String> problems = new TreeMap<>();
        final CompletableFuture<Supplier<UpdateResult>> decided = new CompletableFuture<>();

        Tally(Update update, SignedUpdate signed) {
            this.update = update;
            this.signed = signed;
            this.digest = SignedUpdates.digest(signed);
            this.aguid = Protos.aguid(update.getAguid(), "Update.aguid");
        }

        synchronized boolean needsSend(int replica) {
            return !leaves.containsKey(replica);
        }

        synchronized void replied(int replica, UpdateReply reply) {
            if (decided.isDone()) {
                // f+1 matching signed results decided it: a later reply can change nothing, so its
                // signature is not worth checking (on a healthy ring half the replies arrive late).
                return;
            }
            ResultReply result;
            try {
                result = ResultReply.decode(reply.getResultReply().toByteArray());
            } catch (IllegalArgumentException e) {
                problems.put(replica, "reply without a well-formed signed result: " + e.getMessage());
                return;
            }
            String wrong = result.signer() != replica ? "result signed as replica " + result.signer()
                    : result.statement().epoch() != ring.epoch() ? "result of ring epoch " + result.statement().epoch()
                    : !result.leaf().updateDigest().equals(digest) ? "result for update " + result.leaf().updateDigest()
                    : !result.leaf().aguid().equals(aguid) ? "result for object " + result.leaf().aguid()
                    : !result.verify(ring.replicas().get(replica).key()) ? "result whose signature or proof does not verify"
                    : null;
            if (wrong != null) {
                problems.put(replica, wrong);
                return;
            }
            problems.remove(replica);
            leaves.put(replica, result.leaf());
            replies.put(replica, reply);
            List<Integer> agreeing = leaves.entrySet().stream().filter(e -> e.getValue().equals(result.leaf()))
                    .map(Map.Entry::getKey).toList();
            if (agreeing.size() >= ring.weakQuorum()) {
                decided.complete(() -> outcome(result.leaf(), agreeing));
            }
        }

        synchronized void failed(int replica, Status status) {
            if (leaves.containsKey(replica)) {
                return;
            }
            if (!definite(status.getCode())) {
                problems.put(replica, status.getCode() + ": " + status.getDescription());
                return;
            }
            refusals.put(replica, status);
            List<Status> same = refusals.values().stream().filter(s -> s.getCode() == status.getCode()).toList();
            if (same.size() >= ring.weakQuorum()) {
                OstoreException e = new OstoreException(status.getCode(), status.getDescription() + " (refused by "
                        + same.size() + " of " + ring.n() + " replicas)", new StatusRuntimeException(status));
                decided.complete(() -> {
                    throw e;
                });
            }
        }

        /** Runs on the caller's thread once f+1 replicas signed {@code leaf}. */
        private UpdateResult outcome(ResultLeaf leaf, List<Integer> agreeing) {
            if (leaf.outcome() == ResultLeaf.REJECTED) {
                int r = leaf.rejection();
                throw new OstoreException(rejectionCode(r), "the ring refused the update when executing it: "
                        + (r < REJECTIONS.length ? REJECTIONS[r] : "rejection " + r) + " (signed by replicas "
                        + agreeing + ")");
            }
            List<String> bad = new ArrayList<>();
            for (int replica : agreeing) {
                UpdateReply reply;
                synchronized (this) {
                    reply = replies.get(replica);
                }
                try {
                    return matching(leaf, new UpdateReplyVerifier(update, signed).verify(reply));
                } catch (OstoreException e) {
                    // A faulty replica may sign the right result and send a wrong version with it.
                    bad.add("replica " + replica + ": " + e.detail());
                }
            }
            throw OstoreException.dataLoss("replicas " + agreeing + " signed the result, but no reply's version matches it: "
                    + bad);
        }

        private UpdateResult matching(ResultLeaf leaf, UpdateResult r) {
            boolean committed = leaf.outcome() == ResultLeaf.COMMITTED;
            if (r.committed() != committed || r.entry().getSeq() != leaf.seq()
                    || committed && !r.vguid().hash().equals(leaf.vguid())) {
                throw OstoreException.dataLoss("reply says " + (r.committed() ? "commit" : "abort") + " at seq "
                        + r.entry().getSeq() + ", the signed result says outcome " + leaf.outcome() + " at seq " + leaf.seq());
            }
            return r;
        }

        synchronized OstoreException unavailable() {
            Map<Integer, String> heard = new LinkedHashMap<>();
            leaves.keySet().forEach(i -> heard.put(i, "signed a result"));
            refusals.forEach((i, s) -> heard.put(i, "refused: " + s.getCode() + ": " + s.getDescription()));
            int answered = heard.size();
            problems.forEach(heard::putIfAbsent);
            return new OstoreException(Status.Code.UNAVAILABLE, "the ring cannot answer: " + answered + " of "
                    + ring.n() + " replicas answered within " + policy.attempts() + " attempts of "
                    + policy.attemptTimeout().toMillis() + " ms, and f+1 = " + ring.weakQuorum()
                    + " matching signed results are needed; " + describe(heard));
        }

        private String describe(Map<Integer, String> heard) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < ring.n(); i++) {
                b.append(i == 0 ? "" : "; ").append("replica ").append(i).append(": ")
                        .append(Objects.requireNonNullElse(heard.get(i), "no answer"));
            }
            return b.toString();
        }
    }
}
