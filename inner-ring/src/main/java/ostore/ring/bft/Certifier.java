package ostore.ring.bft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import ostore.crypto.Certificate;
import ostore.crypto.Hash32;
import ostore.crypto.MerkleProof;
import ostore.crypto.PublicKey;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultStatement;
import ostore.ring.bft.Message.BatchResult;
import ostore.ring.bft.Message.Certificates;
import ostore.ring.bft.Message.FetchCertificates;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.VersionRef;
import ostore.store.Selector;
import ostore.store.SnapshotPage;
import ostore.store.StoredVersion;
import ostore.store.Uncertified;
import ostore.store.VersionStore;

/**
 * Gives every version this replica stores its 2f+1 certificate, whenever and however the version
 * got here. Live: BATCH-RESULT signatures are collected per batch, and once 2f+1 replicas signed
 * the results root this replica computed, every version the batch committed gets its certificate.
 * Afterwards, for versions the store still lists as uncertified ({@link VersionStore#uncertified},
 * a durable mark written with each version), every retransmission round while some need it, and
 * every {@value #QUIET_ROUNDS_PER_SCAN} rounds otherwise ({@link #repair}):
 *
 * <ul>
 *   <li>asks the peers for their certificates of those versions (FETCH-CERTIFICATES); a peer that
 *       certified the batch answers with them, checked against the ring's keys on arrival
 *       ({@link Frames}) and against this replica's own VGUID here. This covers a replica that was
 *       down, caught up by state transfer, or installed a snapshot whose source lacked some;
 *   <li>sends its own BATCH-RESULT for the batch again, rebuilt from the kept history if a restart
 *       lost it, so that a batch whose votes no replica gathered (all crashed after answering the
 *       client, before the vote exchange) is certified once 2f+1 replicas have voted again.
 * </ul>
 *
 * A replica's BATCH-RESULT is a function of the batch and the store, so signing it again says
 * nothing new and contradicts nothing.
 */
final class Certifier {
    /** Uncertified versions looked at per round: bounds the work and the FETCH-CERTIFICATES sent. */
    static final int REPAIR_VERSIONS = Message.MAX_CERTIFICATES;
    /**
     * Rounds between looks at the store while nothing seems to need repair. Under load the store's
     * list of uncertified versions is mostly versions whose votes are on their way, and walking
     * the marks (and the deletions certificates leave behind) every round costs the core time.
     */
    static final int QUIET_ROUNDS_PER_SCAN = 16;

    private record Key(int color, long seqno) {}

    private static final class Pending {
        List<ResultLeaf> leaves;
        ResultStatement own;
        byte[] ownFrame;
        /** When this replica signed its own vote: votes on their way get one round before it asks again. */
        long signedAt;
        final Map<Hash32, TreeMap<Integer, byte[]>> votes = new HashMap<>();
    }

    private final Replica r;
    private final Executor executor;
    private final VersionStore store;
    private final Map<Key, Pending> pending = new HashMap<>();
    private long certificatesAttached;
    /** Versions whose certificate is being written ({@link #attach}): a second copy is not written too. */
    private final java.util.Set<VersionRef> attaching = new java.util.HashSet<>();
    /** Rounds since the store was last looked at; the first round after a start looks. */
    private int roundsSinceScan = QUIET_ROUNDS_PER_SCAN;
    /** Whether the last look found versions to repair: then every round looks until none are left. */
    private boolean repairing;
    /**
     * The last mark the previous look took, when it took a full page: the next look pages on past
     * it, so marks this replica cannot settle (a batch nobody certified and nobody keeps any more)
     * never hide the others behind them.
     */
    private Uncertified cursor;
    /** Per color, the lowest batch with a mark the last complete look at the store found ({@link #oldestUncertified}). */
    private long[] marksFloor = new long[0];
    /** The same, gathered over the pages of the look under way. */
    private long[] scanFloor;

    Certifier(Replica r, Executor executor, VersionStore store) {
        this.r = r;
        this.executor = executor;
        this.store = store;
    }

    /** This replica executed the batch and signed {@code own}. */
    void executed(ResultStatement own, List<ResultLeaf> leaves, Signed<BatchResult> signed) {
        Pending p = pending.computeIfAbsent(new Key(own.color(), own.seqno()), k -> new Pending());
        p.leaves = List.copyOf(leaves);
        p.own = own;
        p.ownFrame = signed.frameUnsafe();
        p.signedAt = r.env.nowMicros();
        record(signed, p);
    }

    /**
     * Recovery re-ran or read back batch {@code batch} of {@code lane}, giving {@code done}: if
     * the store lacks a certificate of any version it committed (the votes were lost with the
     * crash, or never came), this replica votes again.
     */
    void recovered(Lane lane, PrePrepare batch, Executor.Executed done) {
        for (ResultLeaf leaf : done.leaves()) {
            if (leaf.outcome() == ResultLeaf.COMMITTED && store.certificate(leaf.aguid(), leaf.seq()).isEmpty()) {
                vote(lane.color, batch.seqno(), done);
                return;
            }
        }
    }

    private void vote(int color, long seqno, Executor.Executed done) {
        ResultStatement statement = new ResultStatement(r.config.epoch(), color, seqno, done.resultsRoot());
        Signed<BatchResult> signed = r.sign(new BatchResult(statement));
        executed(statement, done.leaves(), signed);
        r.broadcastFrame(signed.frameUnsafe());
    }

    /**
     * A peer's vote. Kept for a batch this replica is still certifying (whatever its age: it asked
     * for it), or for a seqno of a known color within a window either side of its stable
     * checkpoint: above it no correct replica has executed yet, and below it what is left is what
     * {@link #forgetUpTo} keeps. One vote per sender and batch: a correct replica signs one results
     * root. So a faulty peer cannot fill memory with votes.
     */
    void vote(Signed<BatchResult> v) {
        ResultStatement s = v.message().statement();
        if (s.epoch() != r.config.epoch() || s.color() < 0 || s.color() >= r.config.colors()) {
            return;
        }
        Key key = new Key(s.color(), s.seqno());
        Pending known = pending.get(key);
        if (known == null || known.own == null) {
            long stable = r.state.lane(s.color()).stable();
            long window = r.config.params().watermarkWindow();
            if (s.seqno() <= stable - window || s.seqno() > stable + window) {
                return;
            }
        }
        record(v, known != null ? known : pending.computeIfAbsent(key, k -> new Pending()));
    }

    private void record(Signed<BatchResult> v, Pending p) {
        ResultStatement s = v.message().statement();
        for (TreeMap<Integer, byte[]> signers : p.votes.values()) {
            if (signers.containsKey(v.sender())) {
                return;
            }
        }
        byte[] frame = v.frameUnsafe();
        byte[] signature = Arrays.copyOfRange(frame, frame.length - PublicKey.SIGNATURE_LENGTH, frame.length);
        p.votes.computeIfAbsent(s.resultsRoot(), h -> new TreeMap<>()).put(v.sender(), signature);
        attachIfCertified(new Key(s.color(), s.seqno()), p);
    }

    /** Votes held for batches not yet certified: bounded by the window and this replica's own batches. */
    int retainedVotes() {
        return pending.values().stream().mapToInt(p -> p.votes.values().stream().mapToInt(Map::size).sum()).sum();
    }

    private void attachIfCertified(Key key, Pending p) {
        if (p.own == null) {
            return;
        }
        TreeMap<Integer, byte[]> signers = p.votes.getOrDefault(p.own.resultsRoot(), new TreeMap<>());
        if (signers.size() < r.config.quorum()) {
            return;
        }
        List<Certificate.Signature> signatures = new ArrayList<>();
        signers.forEach((id, sig) -> signatures.add(new Certificate.Signature(id, sig)));
        List<Hash32> hashes = p.leaves.stream().map(ResultLeaf::hash).toList();
        List<SnapshotPage.Attached> certificates = new ArrayList<>();
        for (int i = 0; i < p.leaves.size(); i++) {
            ResultLeaf leaf = p.leaves.get(i);
            if (leaf.outcome() == ResultLeaf.COMMITTED) {
                Certificate c = new Certificate(p.own, leaf, MerkleProof.of(hashes, i), signatures);
                certificates.add(new SnapshotPage.Attached(leaf.aguid(), leaf.seq(), c.encode()));
            }
        }
        attach(key.color(), certificates);
        pending.remove(key);
    }

    /**
     * Writes {@code certificates} (all of {@code color}) to the store without waiting on the
     * replica's thread: an effect ({@link ReplicaEnv#execute}), counted when it is back. A version
     * no longer stored when the write runs (a snapshot install cleared the color meanwhile, and
     * brings the version back with its own certificate) is passed over.
     */
    private void attach(int color, List<SnapshotPage.Attached> certificates) {
        if (certificates.isEmpty()) {
            return;
        }
        List<VersionRef> refs = certificates.stream().map(c -> new VersionRef(c.aguid(), c.seq())).toList();
        attaching.addAll(refs);
        r.env.execute(color, () -> {
            int attached = 0;
            for (SnapshotPage.Attached c : certificates) {
                try {
                    store.attachCertificate(c.aguid(), c.seq(), c.certificate());
                    attached++;
                } catch (IllegalArgumentException gone) {
                    // The store no longer holds the version: see above.
                }
            }
            return attached;
        }, attached -> r.event(() -> {
            certificatesAttached += attached;
            refs.forEach(attaching::remove);
        }));
    }

    /**
     * Forgets batches at or below {@code seqno} of {@code color} that never gathered a quorum. A
     * forgotten batch of this replica's own is rebuilt by {@link #repair} while the color's history
     * keeps it, and its versions' certificates are fetched from peers either way.
     */
    void forgetUpTo(int color, long seqno) {
        pending.keySet().removeIf(k -> k.color() == color && k.seqno() <= seqno);
    }

    /**
     * The lowest batch of {@code color} that committed a version this replica stores without a
     * certificate, as far as it knows: its own votes still waiting for a quorum, and what the last
     * complete look at the store's marks found ({@link #repair}, {@link #scanMarks}); {@link
     * Long#MAX_VALUE} if none. The kept history reaches down to it, so that this replica can vote
     * for the batch again however few batches the ring keeps below its checkpoints.
     */
    long oldestUncertified(int color) {
        long own = pending.entrySet().stream().filter(e -> e.getKey().color() == color && e.getValue().own != null)
                .mapToLong(e -> e.getKey().seqno()).min().orElse(Long.MAX_VALUE);
        return Math.min(own, color < marksFloor.length ? marksFloor[color] : Long.MAX_VALUE);
    }

    /**
     * Looks at every mark in the store once (at start, before recovery rebuilds the history),
     * so {@link #oldestUncertified} knows the batches a crash left uncertified. Reads the store on
     * the caller's thread: recovery's.
     */
    void scanMarks() {
        long[] floor = newFloor();
        Uncertified after = null;
        for (List<Uncertified> page = store.uncertified(null, REPAIR_VERSIONS); !page.isEmpty();
                page = store.uncertified(after, REPAIR_VERSIONS)) {
            page.forEach(u -> noteMark(floor, u));
            after = page.getLast();
            if (page.size() < REPAIR_VERSIONS) {
                break;
            }
        }
        marksFloor = floor;
    }

    private long[] newFloor() {
        long[] floor = new long[r.config.colors()];
        Arrays.fill(floor, Long.MAX_VALUE);
        return floor;
    }

    private static void noteMark(long[] floor, Uncertified u) {
        if (u.color() < floor.length) {
            floor[u.color()] = Math.min(floor[u.color()], u.position() / RingConfig.MAX_BATCH_LIMIT);
        }
    }

    /**
     * One round of repair, from the retransmission timer: for the versions the store lists as
     * uncertified (up to {@link #REPAIR_VERSIONS}), votes again for their batches and asks every
     * peer for their certificates. A batch whose own vote this replica signed less than a round
     * ago is left alone: its peers' votes are most likely on their way.
     */
    void repair(long roundMicros) {
        long now = r.env.nowMicros();
        boolean stale = pending.values().stream().anyMatch(p -> p.own != null && now - p.signedAt >= roundMicros);
        if (!repairing && !stale && ++roundsSinceScan < QUIET_ROUNDS_PER_SCAN) {
            return;
        }
        roundsSinceScan = 0;
        List<Uncertified> marks = store.uncertified(cursor, REPAIR_VERSIONS);
        if (marks.isEmpty() && cursor != null) {
            cursor = null;
            marks = store.uncertified(null, REPAIR_VERSIONS);
        }
        if (cursor == null || scanFloor == null) {
            scanFloor = newFloor();
        }
        long[] gathering = scanFloor;
        marks.forEach(u -> noteMark(gathering, u));
        cursor = marks.size() < REPAIR_VERSIONS ? null : marks.getLast();
        if (cursor == null) {
            // A look that began at the first mark has seen them all.
            marksFloor = scanFloor;
            scanFloor = null;
        }
        repairing = false;
        if (marks.isEmpty()) {
            return;
        }
        Map<Key, List<Uncertified>> byBatch = new LinkedHashMap<>();
        for (Uncertified u : marks) {
            long seqno = u.position() / RingConfig.MAX_BATCH_LIMIT;
            byBatch.computeIfAbsent(new Key(u.color(), seqno), k -> new ArrayList<>()).add(u);
        }
        List<VersionRef> ask = new ArrayList<>();
        for (var e : byBatch.entrySet()) {
            Key key = e.getKey();
            if (key.color() >= r.state.colors()) {
                continue;
            }
            Lane lane = r.state.lane(key.color());
            if (key.seqno() > lane.executed() || r.snapshotTransfer.active(lane.color)) {
                // Stored ahead of what the lane executed (a store that ran ahead of the log before
                // a crash), or being replaced by a snapshot: the lane will get there by itself.
                continue;
            }
            Pending p = pending.get(key);
            if (p != null && p.own != null) {
                if (now - p.signedAt < roundMicros) {
                    continue;
                }
                r.broadcastFrame(p.ownFrame);
            } else {
                voteFromHistory(lane, key.seqno());
            }
            e.getValue().forEach(u -> ask.add(new VersionRef(u.aguid(), u.seq())));
            repairing = true;
        }
        if (!ask.isEmpty()) {
            r.broadcast(new FetchCertificates(ask));
        }
    }

    /**
     * Votes again for executed batch {@code seqno} of {@code lane} if the kept history still has
     * it and its payloads: the leaves are read back from the store, which applied the batch, and
     * must give the results root this replica executed to.
     */
    private void voteFromHistory(Lane lane, long seqno) {
        Lane.Executed e = lane.history().get(seqno);
        if (e == null || !e.batch().digests().stream().allMatch(r.state::holds)) {
            return;
        }
        Executor.Executed done = executor.readBack(e.batch(), d -> r.state.payload(d).update());
        if (!done.resultsRoot().equals(e.resultsRoot())) {
            throw new SafetyViolation("color " + lane.color + " batch " + seqno + " reads back from the store"
                    + " to results root " + done.resultsRoot() + ", not the " + e.resultsRoot() + " it executed to");
        }
        vote(lane.color, seqno, done);
    }

    /** A peer asks for certificates this replica may hold: it sends those it has. */
    void onFetchCertificates(int from, FetchCertificates m) {
        List<SnapshotPage.Attached> found = new ArrayList<>();
        for (VersionRef v : m.versions()) {
            store.certificate(v.aguid(), v.seq()).ifPresent(c -> found.add(new SnapshotPage.Attached(v.aguid(), v.seq(), c)));
        }
        if (!found.isEmpty()) {
            r.env.send(from, Frames.encode(new Certificates(found), r.id, r.key()));
        }
    }

    /**
     * Certificates a peer sent, each already checked against the ring's keys and epoch
     * ({@link Frames}): attached where this replica stores the version they certify, with the same
     * VGUID, and has no certificate for it yet.
     */
    void onCertificates(int from, Certificates m) {
        Map<Integer, List<SnapshotPage.Attached>> byColor = new TreeMap<>();
        for (SnapshotPage.Attached a : m.certificates()) {
            if (attaching.contains(new VersionRef(a.aguid(), a.seq())) || store.certificate(a.aguid(), a.seq()).isPresent()) {
                continue;
            }
            Optional<StoredVersion> version = store.read(a.aguid(), new Selector.BySeq(a.seq()));
            if (version.isEmpty()) {
                continue;
            }
            Hash32 certified = Certificate.decode(a.certificate()).leaf().vguid();
            if (!version.get().vguid().hash().equals(certified)) {
                // 2f+1 signatures, so at least f+1 correct replicas executed another version here.
                throw new SafetyViolation("version " + a.seq() + " of " + a.aguid() + " is stored here with VGUID "
                        + version.get().vguid() + " but 2f+1 replicas certified VGUID " + certified + " (certificate"
                        + " from peer " + from + "): this replica's store diverged from the ring");
            }
            byColor.computeIfAbsent(r.config.colorOf(a.aguid()), c -> new ArrayList<>()).add(a);
        }
        byColor.forEach(this::attach);
    }

    long certificatesAttached() {
        return certificatesAttached;
    }
}
