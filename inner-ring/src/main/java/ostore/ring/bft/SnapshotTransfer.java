package ostore.ring.bft;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import ostore.crypto.Certificate;
import ostore.crypto.Hash32;
import ostore.crypto.ResultLeaf;
import ostore.ring.bft.Message.Checkpoint;
import ostore.ring.bft.Message.FetchSnapshot;
import ostore.ring.bft.Message.Snapshot;
import ostore.store.Selector;
import ostore.store.SnapshotPage;
import ostore.store.VersionStore;

/**
 * Catching up a stranded color (its next batch lies below what f+1 peers still keep in their
 * logs) from a peer's version store instead of its log. The receiver clears the color in its store
 * (durably marked as installing), asks one peer at a time for the color's records up to that
 * peer's stable checkpoint, page by page ({@link VersionStore#snapshot}), installs each page, and
 * when the peer says the snapshot is complete compares its store digest with the one the
 * checkpoint's 2f+1 signatures certify. Equal: the color jumps to the checkpoint (store synced,
 * log rewritten from it, mark cleared) and the log suffix follows through {@link StateTransfer}.
 * Not equal, or a page the store refuses: the peer lied; the color is cleared again and the next
 * peer asked. One page is asked for at a time; a request without an answer is repeated after 2
 * and 4 times the rounds the last page took (at least 1: not every round, since on a slow link the
 * page may still be on its way, and every repeat sends it again), and a peer that stays silent for
 * {@link #PATIENCE_ROUNDS} rounds, or 4 times what the last page took, is replaced by the next,
 * which goes on from the last installed record. Rounds do not back off while an install is under
 * way ({@link #underWay}), so patience means the same time however long the install has run.
 *
 * <p>The store work runs off the replica's thread ({@link ReplicaEnv#execute}): clearing the
 * color, reading a page at the source, writing one at the receiver (one at a time: pages and rounds
 * wait while a write is under way), and the end of the install ({@link #finish}).
 *
 * <p>A source must be stable at least where this replica knows the ring to be (checked on its
 * first page), or the snapshot would leave it behind what the log can bridge; one that is not is
 * passed over, not blamed. A peer serves while it keeps executing: records are append-only and
 * carry their position, so the records at or below a checkpoint's last position are that
 * checkpoint's state. If the peer's stable checkpoint moves on between pages, later pages run up
 * to the new one, and the receiver compares with the digest the last page's proof certifies.
 */
final class SnapshotTransfer {
    private static final System.Logger LOG = System.getLogger(SnapshotTransfer.class.getName());
    /** An install logs its progress each time this many more bytes are installed. */
    static final long PROGRESS_BYTES = 16L << 20;
    /** Retransmission rounds without a page before the receiver turns to another peer, at least. */
    static final int PATIENCE_ROUNDS = 16;

    /** One attempt at a color: the peer asked, and how far the installed pages got. */
    private static final class Attempt {
        final int source;
        long afterPosition;
        /**
         * Whether pages from other peers (or from before a restart, whose sources are not known)
         * may be installed below {@link #afterPosition}: a digest that then fails blames nobody.
         */
        final boolean mixed;
        int idleRounds;
        /** The rounds the last page took to arrive (0 before the first). */
        int pageRounds;
        /** Bytes of pages installed by this attempt, and when it started (for the progress lines). */
        long bytes;
        long startedMicros;
        /** A store write for this attempt (the clearing, or a page) is under way: pages and rounds wait for it. */
        boolean busy;
        /** The last page, once every page is installed and checked: the install is being made durable. */
        Snapshot finished;
        /** The tag of the log rewrite that starts the color at the installed checkpoint, once queued. */
        long rewriteTag = -1;

        Attempt(int source, long afterPosition, boolean mixed, long nowMicros) {
            this.source = source;
            this.afterPosition = afterPosition;
            this.mixed = mixed;
            this.startedMicros = nowMicros;
        }
    }

    private final Replica r;
    private final VersionStore store;
    private final int pageBytes;
    private final Map<Integer, Attempt> attempts = new HashMap<>();
    /** Per color, the peers whose snapshot failed its check; cleared once every peer has failed. */
    private final Map<Integer, Set<Integer>> liars = new HashMap<>();
    /** A peer's request for a page of one color. */
    private record Served(int peer, int color) {}

    /** Pages being read from the store, one per peer and color at a time. */
    private final Set<Served> serving = new HashSet<>();

    SnapshotTransfer(Replica r, VersionStore store, int pageBytes) {
        this.r = r;
        this.store = store;
        this.pageBytes = pageBytes;
    }

    /** True while a snapshot of {@code color} is being installed: its store holds no usable state. */
    boolean active(int color) {
        return attempts.containsKey(color);
    }

    /** Starts the snapshot of {@code lane}'s color unless one is under way. */
    void pursue(Lane lane) {
        if (lane.executing()) {
            // Clearing the color now would pull the store from under the batch being written.
            lane.deferSnapshot();
        } else if (!active(lane.color)) {
            begin(lane, nextSource(lane.color, r.id));
        }
    }

    /** True while a snapshot of some color is being installed here. */
    boolean underWay() {
        return !attempts.isEmpty();
    }

    /**
     * A retransmission round: asks the current source of each snapshot under way again, or the next
     * peer once the source has been silent too long (see the class comment). Counted here, on the
     * timer, and not when checkpoints arrive, so that traffic elsewhere in the ring cannot make a
     * slow but honest source look silent.
     */
    void onRound(Lane lane) {
        Attempt a = attempts.get(lane.color);
        if (a == null || a.busy || a.finished != null) {
            return;
        }
        int page = Math.max(1, a.pageRounds);
        int patience = Math.max(PATIENCE_ROUNDS, 4 * a.pageRounds);
        if (++a.idleRounds < patience) {
            if (a.idleRounds == 2 * page || a.idleRounds == 4 * page) {
                ask(lane.color, a);
            }
        } else {
            LOG.log(System.Logger.Level.WARNING, "replica {0}: color {1}: peer {2} sent no snapshot page for {3} "
                    + "rounds; going on from position {4} with another peer", r.id, lane.color, a.source,
                    patience, a.afterPosition);
            carryOn(lane, a);
        }
    }

    /**
     * Goes on with the next peer from where {@code a}'s pages got, keeping what is installed:
     * records are the same at every correct replica, position for position, so any correct peer's
     * pages continue any correct prefix, and the final digest check covers the whole.
     */
    private void carryOn(Lane lane, Attempt a) {
        int source = nextSource(lane.color, a.source);
        Attempt next = new Attempt(source, a.afterPosition, a.mixed || a.afterPosition >= 0, a.startedMicros);
        next.pageRounds = a.pageRounds;
        next.bytes = a.bytes;
        attempts.put(lane.color, next);
        ask(lane.color, next);
    }

    /** Clears the color and asks {@code source} for its whole snapshot. */
    private void begin(Lane lane, int source) {
        LOG.log(System.Logger.Level.INFO, "replica {0}: color {1} executed {2} but peers keep no log that far back; "
                + "installing peer {3}''s store snapshot", r.id, lane.color, lane.executed(), source);
        r.forgetUncertified(lane.color);
        Attempt a = new Attempt(source, -1, false, r.env.nowMicros());
        attempts.put(lane.color, a);
        a.busy = true;
        int color = lane.color;
        r.env.execute(color, () -> {
            store.clearColor(color);
            return null;
        }, done -> r.event(() -> {
            if (attempts.get(color) == a) {
                a.busy = false;
                ask(color, a);
            }
        }));
    }

    /** The peer after {@code previous}, skipping this replica and the color's liars. */
    private int nextSource(int color, int previous) {
        Set<Integer> bad = liars.computeIfAbsent(color, c -> new HashSet<>());
        if (bad.size() >= r.config.n() - 1) {
            bad.clear();
        }
        for (int i = 1; i <= r.config.n(); i++) {
            int peer = Math.floorMod(previous + i, r.config.n());
            if (peer != r.id && !bad.contains(peer)) {
                return peer;
            }
        }
        throw new IllegalStateException("a ring of " + r.config.n() + " has no peer to ask");
    }

    private void ask(int color, Attempt a) {
        r.env.send(a.source, Frames.encode(new FetchSnapshot(color, a.afterPosition), r.id, r.key()));
    }

    // ---- serving ----

    /**
     * A peer asks for a page of a color's store up to this replica's stable checkpoint. The page is
     * read off the replica's thread (an effect) and sent when it is back; one page per peer and
     * color at a time, so a peer that asks faster than pages are read gets nothing more until it
     * asks again.
     */
    void onFetchSnapshot(int from, FetchSnapshot m) {
        Served request = new Served(from, m.color());
        if (m.color() >= r.state.colors() || from == r.id || active(m.color()) || serving.contains(request)) {
            return;
        }
        Lane lane = r.state.lane(m.color());
        if (lane.stable() == 0 || lane.behind()) {
            if (m.afterPosition() == -1) {
                LOG.log(System.Logger.Level.INFO, "replica {0}: cannot send replica {1} a store snapshot of color {2}:"
                        + " it executed {3} and is stable at {4}", r.id, from, m.color(), lane.executed(), lane.stable());
            }
            return;
        }
        long stable = lane.stable();
        Hash32 digest = lane.stableDigest();
        List<Signed<Checkpoint>> proof = lane.stableProof();
        long upTo = Executor.lastPosition(stable);
        serving.add(request);
        r.env.execute(lane.color, () -> store.snapshot(lane.color, m.afterPosition(), upTo, pageBytes),
                page -> r.event(() -> {
                    serving.remove(request);
                    if (m.afterPosition() == -1) {
                        LOG.log(System.Logger.Level.INFO, "replica {0}: sending replica {1} the store snapshot of color"
                                + " {2} at checkpoint {3}, from its first page ({4} entries, {5} blocks)", r.id, from,
                                m.color(), stable, page.entries().size(), page.blocks().size());
                    }
                    r.env.send(from, Frames.encode(new Snapshot(lane.color, stable, digest, proof, m.afterPosition(),
                            page.entries(), page.blocks(), page.certificates(), page.lastPosition(), page.complete()),
                            r.id, r.key()));
                }));
    }

    // ---- receiving ----

    void onSnapshot(int from, Snapshot s) {
        Attempt a = s.color() < r.state.colors() ? attempts.get(s.color()) : null;
        if (a == null || a.busy || a.finished != null || from != a.source || s.afterPosition() != a.afterPosition) {
            return;
        }
        if (!NewViewPlan.validCheckpoint(r.config, s.color(), s.stableSeqno(), s.stateDigest(), s.checkpointProof())) {
            lied(r.state.lane(s.color()), a, "sent a snapshot page whose checkpoint " + s.stableSeqno()
                    + " is not proven by 2f+1 signatures");
            return;
        }
        Lane lane = r.state.lane(s.color());
        if (a.afterPosition == -1 && s.stableSeqno() < lane.stable()
                || a.afterPosition > Executor.lastPosition(s.stableSeqno())) {
            // Its checkpoint is older than one the ring certified, or than what is installed already:
            // installing it would leave this replica behind what the log can bridge again, or could not
            // end at its digest. Not a lie (its stable point may lag); ask the next peer.
            LOG.log(System.Logger.Level.INFO, "replica {0}: color {1}: peer {2} is stable only at {3}, below the ring''s"
                    + " {4} or what is installed; asking another peer for a snapshot", r.id, lane.color, a.source,
                    s.stableSeqno(), lane.stable());
            carryOn(lane, a);
            return;
        }
        if (s.lastPosition() > Executor.lastPosition(s.stableSeqno())) {
            lied(lane, a, "sent records past its checkpoint " + s.stableSeqno());
            return;
        }
        a.busy = true;
        int color = lane.color;
        int source = a.source;
        r.env.execute(color, () -> installPage(color, source, s), refusal -> r.event(() -> {
            if (attempts.get(color) != a) {
                return;
            }
            a.busy = false;
            if (refusal.isPresent()) {
                lied(lane, a, refusal.get());
                return;
            }
            a.afterPosition = s.lastPosition();
            a.pageRounds = a.idleRounds;
            a.idleRounds = 0;
            long before = a.bytes;
            a.bytes += pageBytes(s);
            if (a.bytes / PROGRESS_BYTES != before / PROGRESS_BYTES || s.complete()) {
                LOG.log(System.Logger.Level.INFO, "replica {0}: color {1}: {2} MiB of the store snapshot installed in {3}"
                        + " s, up to position {4} (peer {5}){6}", r.id, color, a.bytes >> 20,
                        (r.env.nowMicros() - a.startedMicros) / 1_000_000, a.afterPosition, a.source,
                        s.complete() ? ", the last page" : "");
            }
            if (s.complete()) {
                finish(lane, a, s);
            } else {
                ask(color, a);
            }
        }));
    }

    /** The bytes of a page's journal entries and blocks (what the store takes; for the progress lines). */
    private static long pageBytes(Snapshot s) {
        long n = 0;
        for (byte[] e : s.entries()) {
            n += e.length;
        }
        for (byte[] b : s.blocks()) {
            n += b.length;
        }
        return n;
    }

    /**
     * Off the replica's thread: writes page {@code s} from {@code source} into the color's store,
     * attaches the certificates in it that check, syncs, and on the last page compares the store digest
     * reached with the one the checkpoint certifies. Returns what the source did wrong, if anything.
     */
    private Optional<String> installPage(int color, int source, Snapshot s) {
        try {
            store.install(color, new SnapshotPage(s.entries(), s.blocks(), s.certificates(), s.lastPosition(),
                    s.complete()));
        } catch (IllegalArgumentException e) {
            return Optional.of("sent a page the store refused: " + e.getMessage());
        }
        if (store.appliedPosition(color) > s.lastPosition()) {
            return Optional.of("sent records past the last position " + s.lastPosition() + " it claimed");
        }
        s.certificates().forEach(c -> attachIfValid(color, source, c));
        // Durable page by page (one sync a page, about 1 MiB): a replica killed in the middle of an
        // install goes on from where it was, rather than starting over (see interrupted).
        store.sync();
        if (!s.complete()) {
            return Optional.empty();
        }
        Hash32 certified = Checkpoint.storeDigestOf(s.checkpointProof());
        Hash32 reached = store.storeDigest(color);
        if (!reached.equals(certified)) {
            return Optional.of("served a snapshot whose store digest " + reached + " is not the certified " + certified
                    + " of checkpoint " + s.stableSeqno());
        }
        return Optional.empty();
    }

    /**
     * Attaches a transferred certificate once it checks: 2f+1 of this ring's signatures over a
     * results root the leaf is proven in, naming this epoch and exactly the installed version.
     * A bad one is dropped (the version stays uncertified here); it does not fail the snapshot,
     * whose state the store digest already vouches for.
     */
    private void attachIfValid(int color, int source, SnapshotPage.Attached attached) {
        try {
            Certificate c = Certificate.decode(attached.certificate());
            c.check(r.config.keys(), r.config.f());
            var version = store.read(attached.aguid(), new Selector.BySeq(attached.seq()));
            if (c.statement().epoch() != r.config.epoch() || c.leaf().outcome() != ResultLeaf.COMMITTED
                    || !c.leaf().aguid().equals(attached.aguid()) || c.leaf().seq() != attached.seq()
                    || version.isEmpty() || !version.get().vguid().hash().equals(c.leaf().vguid())) {
                throw new IllegalArgumentException("it certifies another version, epoch or outcome");
            }
            store.attachCertificate(attached.aguid(), attached.seq(), attached.certificate());
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "replica {0}: color {1}: peer {2} sent a certificate of version {3}"
                    + " of {4} that does not check ({5}); dropped", r.id, color, source, attached.seq(),
                    attached.aguid(), e.getMessage());
        }
    }

    /**
     * {@code a}'s source sent something wrong: the color is cleared and installed again. The source
     * is blamed (asked last from now on) only if every installed page came from it; with pages of
     * other peers below, or from before a restart, nobody can tell whose was wrong, so the same
     * peer is asked again for the whole snapshot, alone.
     */
    private void lied(Lane lane, Attempt a, String what) {
        if (a.mixed) {
            LOG.log(System.Logger.Level.WARNING, "replica {0}: color {1}: the snapshot installed from several peers, the"
                    + " last peer {2}, {3}; installing it again from peer {2} alone", r.id, lane.color, a.source, what);
            begin(lane, a.source);
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "replica {0}: color {1}: peer {2} {3}; trying another peer", r.id,
                lane.color, a.source, what);
        liars.computeIfAbsent(lane.color, c -> new HashSet<>()).add(a.source);
        begin(lane, nextSource(lane.color, a.source));
    }

    /**
     * Every page of {@code s}'s snapshot is installed and its store digest checked: the install is
     * made durable without waiting on the replica's thread, in the order recovery needs. The store
     * is synced (an effect); then, in one event, the color jumps to the checkpoint and its log is
     * rewritten to start from it (queued, {@link Checkpointer#installed}); once that rewrite is
     * durable the store's installing mark is cleared (an effect, {@link #durable}); and only then
     * is the install over and the log suffix fetched ({@link #installDone}). A crash anywhere
     * before the mark is cleared finds it at recovery, which goes on from the store's last record
     * ({@link #interrupted}). The attempt stays active throughout, so the color executes nothing
     * and serves no snapshot meanwhile.
     */
    private void finish(Lane lane, Attempt a, Snapshot s) {
        a.finished = s;
        r.env.execute(lane.color, () -> {
            store.sync();
            return null;
        }, done -> r.event(() -> storeSynced(lane, a)));
    }

    private void storeSynced(Lane lane, Attempt a) {
        if (attempts.get(lane.color) != a) {
            return;
        }
        Snapshot s = a.finished;
        lane.installedSnapshot(s.stableSeqno(), s.stateDigest(), s.checkpointProof());
        // Before the rewrite, so that it carries none of their payloads.
        forgetPending(lane);
        a.rewriteTag = r.checkpointer.installed(lane, s.stableSeqno(), s.stateDigest(), s.checkpointProof());
        durable();
    }

    /** Log records became durable: clears the installing mark of each color whose rewrite now is. */
    void durable() {
        for (Map.Entry<Integer, Attempt> e : attempts.entrySet()) {
            Attempt a = e.getValue();
            if (a.rewriteTag >= 0 && r.rlog.isDurable(a.rewriteTag)) {
                int color = e.getKey();
                a.rewriteTag = -1;
                r.env.execute(color, () -> {
                    store.finishInstall(color);
                    return null;
                }, done -> r.event(() -> installDone(r.state.lane(color), a)));
            }
        }
    }

    /** The install is durable, its mark cleared: the color follows the log from the checkpoint. */
    private void installDone(Lane lane, Attempt a) {
        if (attempts.get(lane.color) != a) {
            return;
        }
        attempts.remove(lane.color);
        liars.remove(lane.color);
        LOG.log(System.Logger.Level.INFO, "replica {0}: color {1} installed the store at checkpoint {2}", r.id,
                lane.color, a.finished.stableSeqno());
        r.stateTransfer.installed(lane);
    }

    /**
     * The color's pending updates leave the queue: the snapshot executed many (the ring ordered
     * them while this replica was behind), and the rest the rewrite would copy, payloads and all,
     * into a log that a long catch-up may have filled. A batch that orders one later gets it
     * fetched; its client, if still waiting, sends it again.
     */
    private void forgetPending(Lane lane) {
        for (Hash32 d : List.copyOf(r.state.pending().keySet())) {
            if (r.config.colorOf(r.state.payload(d).update().update().aguid()) == lane.color) {
                r.state.forgetPending(d);
            }
        }
    }

    /**
     * At recovery: true if a crash left {@code lane}'s store installing. Its store then holds no
     * usable state yet, whatever the log says, so the color counts nothing executed; the install
     * goes on from the last record the store kept (a store keeps a prefix of what was written to
     * it), from the next peer, and its final digest check covers the records from before the crash.
     */
    boolean interrupted(Lane lane) {
        if (!store.installing(lane.color)) {
            return false;
        }
        lane.clearedForReinstall();
        long kept = store.appliedPosition(lane.color);
        LOG.log(System.Logger.Level.INFO, "replica {0}: color {1} was installing a store snapshot when it stopped; going"
                + " on from position {2}", r.id, lane.color, kept);
        Attempt a = new Attempt(nextSource(lane.color, r.id), kept, kept >= 0, r.env.nowMicros());
        attempts.put(lane.color, a);
        ask(lane.color, a);
        return true;
    }
}
