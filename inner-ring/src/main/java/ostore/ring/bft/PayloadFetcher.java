package ostore.ring.bft;

import java.util.ArrayList;
import java.util.List;
import ostore.crypto.Hash32;
import ostore.ring.SubmittedUpdate;
import ostore.ring.bft.Message.FetchPayloads;
import ostore.ring.bft.Message.Payloads;
import ostore.ring.bft.Message.PrePrepare;
import ostore.store.AuthenticatedUpdate;

/**
 * Payloads travel to every replica before their digests are ordered (write-all), but a backup may
 * still miss one: it then holds the pre-prepare back, asks its sender, and after a while every
 * peer, and accepts once each payload arrived and its client signature verified.
 */
final class PayloadFetcher {
    private static final System.Logger LOG = System.getLogger(PayloadFetcher.class.getName());

    /** Digests fetched because a peer relayed them: taken as client updates when they come. */
    private static final int MAX_RELAY_FETCHES = 4096;

    private final Replica r;
    /** Relayed digests asked for and not arrived yet, oldest first, at most {@link #MAX_RELAY_FETCHES}. */
    private final java.util.LinkedHashSet<Hash32> relayFetches = new java.util.LinkedHashSet<>();
    /** Batches whose wait for payloads was logged (once each; forgotten past {@link #MAX_RELAY_FETCHES}). */
    private final java.util.Set<Hash32> warned = new java.util.HashSet<>();

    PayloadFetcher(Replica r) {
        this.r = r;
    }

    /** A peer relayed {@code digests}, which this replica lacks: asks it for them. */
    void fetchRelayed(int peer, List<Hash32> digests) {
        for (Hash32 d : digests) {
            relayFetches.add(d);
            if (relayFetches.size() > MAX_RELAY_FETCHES) {
                relayFetches.remove(relayFetches.iterator().next());
            }
        }
        r.env.send(peer, Frames.encode(new FetchPayloads(digests), r.id, r.key()));
    }

    /** Holds {@code s} back until {@code missing} arrive; asks its sender first. */
    void await(Lane lane, Slot slot, Signed<PrePrepare> s, List<Hash32> missing) {
        Signed<PrePrepare> waiting = slot.awaitingPayloads();
        if (waiting != null && waiting.message().view() == s.message().view()
                && !waiting.message().batchDigest().equals(s.message().batchDigest())) {
            // Never replace a waiting pre-prepare by another of its view: that is the primary equivocating.
            return;
        }
        slot.awaitPayloads(s);
        r.env.send(s.sender(), Frames.encode(new FetchPayloads(missing), r.id, r.key()));
        armRefetch(lane);
    }

    private void armRefetch(Lane lane) {
        r.env.setTimer(new TimerKey(TimerKey.Kind.FETCH, lane.color), r.config.params().viewChangeTimeoutMicros() / 4);
    }

    void retryAwaiting(Lane lane) {
        for (Slot slot : List.copyOf(lane.slots().values())) {
            Signed<PrePrepare> s = slot.awaitingPayloads();
            if (s != null && s.message().view() == r.state.view() && !r.state.viewChanging()
                    && s.message().digests().stream().allMatch(r.state::holds)) {
                r.agreement.acceptWhenHeld(lane, slot, s);
            }
        }
    }

    /** A committed batch of {@code lane} cannot run without {@code missing}: asks every peer for them. */
    void awaitCommitted(Lane lane, List<Hash32> missing) {
        LOG.log(System.Logger.Level.WARNING, "replica {0}: color {1} batch {2} is committed but {3} of its payloads"
                + " are missing here; fetching them", r.id, lane.color, lane.executed() + 1, missing.size());
        r.broadcast(new FetchPayloads(missing));
        armRefetch(lane);
    }

    void refetch(Lane lane) {
        Slot next = lane.slotAt(lane.executed() + 1);
        if (next != null && next.committed()) {
            List<Hash32> missing = next.committedBatch().digests().stream().filter(d -> !r.state.holds(d))
                    .toList();
            if (!missing.isEmpty()) {
                r.broadcast(new FetchPayloads(missing));
                armRefetch(lane);
            }
        }
        for (Slot slot : lane.slots().values()) {
            Signed<PrePrepare> s = slot.awaitingPayloads();
            if (s == null || s.message().view() != r.state.view()) {
                // A pre-prepare of a view this replica left waits for nothing any more.
                continue;
            }
            List<Hash32> missing = s.message().digests().stream().filter(d -> !r.state.holds(d)).toList();
            if (missing.isEmpty()) {
                // All came: retryAwaiting accepts it once the view is entered.
                continue;
            }
            if (warned.add(s.message().batchDigest())) {
                LOG.log(System.Logger.Level.WARNING, "replica {0}: color {1} batch {2} of view {3} (from replica {4})"
                        + " still waits for {5} of its payloads; asking every peer", r.id, lane.color,
                        s.message().seqno(), s.message().view(), s.sender(), missing.size());
                if (warned.size() > MAX_RELAY_FETCHES) {
                    warned.clear();
                }
            }
            // The primary may be the one withholding them; every correct replica that prepared holds them.
            r.broadcast(new FetchPayloads(missing));
            armRefetch(lane);
        }
    }

    /** Answers with the asked payloads this replica holds, as many as one page of state has room for. */
    void onFetch(int from, FetchPayloads m) {
        List<byte[]> found = r.stateTransfer.payloadsFor(m.digests());
        if (!found.isEmpty()) {
            r.env.send(from, Frames.encode(new Payloads(found), r.id, r.key()));
        }
    }

    /** Payloads that verify go to state transfer if it waits for them, else to pre-prepares waiting for them. */
    void onPayloads(Payloads m) {
        List<ReplicaState.Payload> fetched = new ArrayList<>();
        for (byte[] bytes : m.signedUpdates()) {
            try {
                fetched.add(new ReplicaState.Payload(bytes, r.verifierDecode(bytes)));
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "replica {0}: dropped a fetched payload: {1}", r.id, e.getMessage());
            }
        }
        r.stateTransfer.onPayloads(fetched);
        for (ReplicaState.Payload p : fetched) {
            AuthenticatedUpdate u = p.update();
            if (relayFetches.remove(u.digest())) {
                r.takeUpdate(new SubmittedUpdate(p.signedUpdate(), u));
            } else if (!r.state.holds(u.digest()) && isAwaited(u.digest())) {
                r.onClientUpdate(new SubmittedUpdate(p.signedUpdate(), u));
            }
        }
    }

    private boolean isAwaited(Hash32 digest) {
        for (Lane lane : r.state.lanes()) {
            for (Slot s : lane.slots().values()) {
                Signed<PrePrepare> pp = s.awaitingPayloads();
                if (pp != null && pp.message().digests().contains(digest)) {
                    return true;
                }
                if (s.seqno > lane.executed() && s.committed() && s.committedBatch().digests().contains(digest)) {
                    return true;
                }
            }
        }
        return false;
    }
}
