package ostore.ring.bft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.Commit;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.Prepare;
import ostore.ring.bft.Message.PreparedProof;

/**
 * Agreement on one sequence number of one color: the pre-prepare accepted in the current view,
 * the votes of that view, and what survives a view change (the prepared proof, committed).
 * Votes are counted only for the accepted pre-prepare's (view, batch digest).
 */
final class Slot {
    final long seqno;
    private Signed<PrePrepare> accepted;
    /** A pre-prepare of the current view waiting for payloads this replica does not hold yet. */
    private Signed<PrePrepare> awaitingPayloads;
    private final Map<Integer, Signed<Prepare>> prepares = new HashMap<>();
    private final Map<Integer, Signed<Commit>> commits = new HashMap<>();
    private PreparedProof prepared;
    private Hash32 committedDigest;
    private PrePrepare committedBatch;
    private Signed<PrePrepare> committedPrePrepare;
    private Message.CommitProof commitProof;
    /** The log tag of this replica's COMMIT-PROOF record: the batch runs once it is durable (0: no wait). */
    private long commitTag;
    /** Set once executed here: what EXECUTED logged, carried over a log trim with the slot. */
    private Hash32 resultsRoot;
    private Hash32 stateDigest;

    Slot(long seqno) {
        this.seqno = seqno;
    }

    Signed<PrePrepare> accepted() {
        return accepted;
    }

    /** Accepts {@code pp} for its view; votes of earlier views no longer count. */
    void accept(Signed<PrePrepare> pp) {
        SafetyViolation.check(accepted == null || accepted.message().view() < pp.message().view()
                || accepted.message().batchDigest().equals(pp.message().batchDigest()),
                () -> "two batches accepted for view " + pp.message().view() + ", color " + pp.message().color()
                        + ", seqno " + seqno);
        SafetyViolation.check(committedDigest == null || committedDigest.equals(pp.message().batchDigest()),
                () -> "color " + pp.message().color() + " seqno " + seqno + " committed batch " + committedDigest
                        + " and accepts batch " + pp.message().batchDigest());
        if (accepted != null && accepted.message().view() < pp.message().view()) {
            prepares.clear();
            commits.clear();
        }
        accepted = pp;
        awaitingPayloads = null;
        prepares.values().removeIf(p -> !matches(p.message().view(), p.message().batchDigest()));
        commits.values().removeIf(c -> !matches(c.message().view(), c.message().batchDigest()));
    }

    /** Forgets the votes and any unprepared pre-prepare of views before {@code view}. */
    void enterView(long view) {
        if (accepted != null && accepted.message().view() < view) {
            accepted = null;
        }
        awaitingPayloads = null;
        prepares.clear();
        commits.clear();
    }

    Signed<PrePrepare> awaitingPayloads() {
        return awaitingPayloads;
    }

    /** {@code pp} of the current view waits here for payloads this replica is fetching. */
    void awaitPayloads(Signed<PrePrepare> pp) {
        awaitingPayloads = pp;
    }

    /** The pre-prepare that waited for payloads is refused or void. */
    void stopAwaiting() {
        awaitingPayloads = null;
    }

    long commitTag() {
        return commitTag;
    }

    Hash32 resultsRoot() {
        return resultsRoot;
    }

    Hash32 stateDigest() {
        return stateDigest;
    }

    /** The committed batch executed here to {@code resultsRoot}, chaining to {@code state} ({@link Lane#executedBatch}). */
    void executed(Hash32 resultsRoot, Hash32 state) {
        this.resultsRoot = resultsRoot;
        this.stateDigest = state;
    }

    void addPrepare(Signed<Prepare> p) {
        prepares.putIfAbsent(p.sender(), p);
    }

    void addCommit(Signed<Commit> c) {
        commits.putIfAbsent(c.sender(), c);
    }

    /** The prepares from distinct backups that match the accepted pre-prepare. */
    List<Signed<Prepare>> matchingPrepares(int primary) {
        List<Signed<Prepare>> out = new ArrayList<>();
        if (accepted == null) {
            return out;
        }
        for (Signed<Prepare> p : prepares.values()) {
            if (p.sender() != primary && matches(p.message().view(), p.message().batchDigest())) {
                out.add(p);
            }
        }
        out.sort(java.util.Comparator.comparingInt(Signed::sender));
        return out;
    }

    int matchingCommits() {
        return matchingCommitList().size();
    }

    /** The commits that match the accepted pre-prepare, by sender. */
    List<Signed<Commit>> matchingCommitList() {
        if (accepted == null) {
            return List.of();
        }
        return commits.values().stream().filter(c -> matches(c.message().view(), c.message().batchDigest()))
                .sorted(java.util.Comparator.comparingInt(Signed::sender)).toList();
    }

    /** This replica's own vote of {@code view} for the accepted batch, if it sent one. */
    Signed<Prepare> ownPrepare(int id) {
        Signed<Prepare> p = prepares.get(id);
        return p != null && accepted != null && matches(p.message().view(), p.message().batchDigest()) ? p : null;
    }

    Signed<Commit> ownCommit(int id) {
        Signed<Commit> c = commits.get(id);
        return c != null && accepted != null && matches(c.message().view(), c.message().batchDigest()) ? c : null;
    }

    private boolean matches(long view, Hash32 digest) {
        return accepted != null && accepted.message().view() == view
                && accepted.message().batchDigest().equals(digest);
    }

    PreparedProof prepared() {
        return prepared;
    }

    void setPrepared(PreparedProof proof) {
        SafetyViolation.check(prepared == null || prepared.prePrepare().message().view() <= proof.prePrepare().message().view(),
                () -> "seqno " + seqno + " prepared in view " + proof.prePrepare().message().view() + " after view "
                        + prepared.prePrepare().message().view());
        prepared = proof;
    }

    /** True once prepared in the accepted pre-prepare's view. */
    boolean preparedInCurrentView() {
        return prepared != null && accepted != null
                && prepared.prePrepare().message().view() == accepted.message().view();
    }

    /**
     * True if {@code pp} contradicts what this slot settled: another batch committed, or another
     * batch accepted in the same view. A pre-prepare may wait for its payloads while either happens.
     */
    boolean contradicts(PrePrepare pp) {
        return committedDigest != null && !committedDigest.equals(pp.batchDigest())
                || accepted != null && accepted.message().view() == pp.view()
                        && !accepted.message().batchDigest().equals(pp.batchDigest());
    }

    boolean committed() {
        return committedDigest != null;
    }

    PrePrepare committedBatch() {
        return committedBatch;
    }

    /**
     * Records {@code pp}'s batch as committed here; {@code commits} are the 2f+1 COMMITs that showed
     * it (empty when read back from a log that did not keep them: COMMITTED, not COMMIT-PROOF).
     */
    void commit(Signed<PrePrepare> pp, List<Signed<Commit>> commits) {
        commit(pp, commits, 0);
    }

    /** As {@link #commit(Signed, List)}, the batch to run once the log record tagged {@code logTag} is durable. */
    void commit(Signed<PrePrepare> pp, List<Signed<Commit>> commits, long logTag) {
        Hash32 digest = pp.message().batchDigest();
        SafetyViolation.check(committedDigest == null || committedDigest.equals(digest),
                () -> "two different batches committed at color " + pp.message().color() + " seqno " + seqno + ": "
                        + committedDigest + " and " + digest);
        committedDigest = digest;
        committedBatch = pp.message();
        committedPrePrepare = pp;
        commitTag = logTag;
        if (!commits.isEmpty()) {
            commitProof = new Message.CommitProof(pp, commits);
        }
    }

    Signed<PrePrepare> committedPrePrepare() {
        return committedPrePrepare;
    }

    /** What shows a peer this slot committed; null when committed from this replica's own log. */
    Message.CommitProof commitProof() {
        return commitProof;
    }
}
