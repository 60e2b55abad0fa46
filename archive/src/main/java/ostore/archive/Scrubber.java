package ostore.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.archive.manifest.ArchivedBlock;
import ostore.crypto.Bguid;
import ostore.archive.fragment.CodeParams;
import ostore.archive.fragment.Fragment;
import ostore.archive.manifest.Manifest;
import ostore.archive.manifest.Placement;
import ostore.archive.manifest.StripeFragments;
import ostore.archive.store.ArchiveNames;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;

/**
 * Finds and fixes what an archived version lost: reads every fragment (a full read, so silent
 * corruption is found, and a store that finds it sets it aside), regenerates each missing or
 * corrupt one from k good ones, and stores it again. Re-encoding is deterministic, so a regenerated
 * fragment has exactly its old bytes and name; the scrubber checks that before storing it.
 *
 * <p>A fragment goes back to its placed node if that node is up; otherwise it is re-homed: to the
 * next node in the stripe's rendezvous ranking ({@link Placement#rank}) that is up and holds no
 * fragment of the stripe, or, when every node holds one (a stripe as wide as the cluster), to the
 * up node holding fewest ({@link ScrubReport.Repair#sharing()}). The manifest's placement then no
 * longer says where it is (the manifest is content-addressed and certified through its VGUID, so
 * it is never rewritten); the new holder's store advertises it in its routing filter and publishes
 * its rendezvous pointers, and readers find it through the {@link FragmentLocator} (or, failing
 * that, by asking every node). Once the placed node is up again, a scrub that finds the fragment
 * away from it copies it back there. The manifest and the index entry are copied back to every
 * reachable node that lost them.
 */
public final class Scrubber {
    private static final Logger LOG = Logger.getLogger(Scrubber.class.getName());

    private final ArchiveNodes nodes;
    private final CertificateChecker checker;
    private final CodeLimits limits;
    private final FragmentLocator locator;

    /** A scrubber that accepts codes within {@link CodeLimits#DEFAULT}. */
    public Scrubber(ArchiveNodes nodes, CertificateChecker checker) {
        this(nodes, checker, CodeLimits.DEFAULT);
    }

    /** @param limits the codes a manifest may use; a manifest outside them is rejected */
    public Scrubber(ArchiveNodes nodes, CertificateChecker checker, CodeLimits limits) {
        this(nodes, checker, limits, FragmentLocator.NONE);
    }

    /**
     * @param locator where to look for a fragment its placed node does not give (a re-homed one)
     *     before asking every node; {@link FragmentLocator#NONE} to ask every node at once
     */
    public Scrubber(ArchiveNodes nodes, CertificateChecker checker, CodeLimits limits, FragmentLocator locator) {
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.checker = Objects.requireNonNull(checker, "checker");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.locator = Objects.requireNonNull(locator, "locator");
    }

    /**
     * Scrubs version {@code seq} of {@code aguid}: the fragments of the bytes archived with it (not
     * those of earlier versions it shares blocks with: scrub those versions for them).
     *
     * <p>Only a manifest that verifies is scrubbed. Candidates are tried in the restorer's order;
     * each is read in full first (every fragment of every stripe) and the blocks archived with it
     * are decoded and checked against their BGUIDs, and its rows pointing into earlier versions are
     * checked against those versions' manifests. A candidate with a mismatch is rejected and
     * nothing is written for it. The first that passes is repaired: its missing fragments
     * regenerated (the damaged stripes are read a second time for that). Its manifest and index
     * entry are copied to nodes that lack them only if every stripe decoded, so a forged manifest
     * is never spread. If no candidate has a mismatch but none could be checked (every stripe below
     * k), the best-ranked one is reported with its lost stripes and nothing is written.
     *
     * @throws ArchiveException if no candidate manifest passes
     */
    public ScrubReport scrub(Aguid aguid, long seq) throws ArchiveException {
        FetchLog log = new FetchLog();
        ManifestLocator locator = new ManifestLocator(nodes, checker, log, limits);
        ManifestChecks checks = new ManifestChecks(nodes, locator, log, this.locator);
        try (FragmentFetcher fetcher = new FragmentFetcher(nodes, log, this.locator)) {
            return scrub(aguid, seq, log, locator, checks, fetcher);
        }
    }

    private ScrubReport scrub(Aguid aguid, long seq, FetchLog log, ManifestLocator locator, ManifestChecks checks,
            FragmentFetcher fetcher) throws ArchiveException {
        ManifestLocator.Candidates candidates = locator.candidates(aguid, seq);
        List<RejectedManifest> rejected = new ArrayList<>();
        ScrubReport unchecked = null;
        for (ManifestLocator.Candidate c : candidates.list()) {
            ManifestLocator.Located located;
            Pass pass;
            try {
                located = locator.fetch(aguid, seq, c);
                String problem = checks.earlierRowsMatch(located.manifest());
                if (problem != null) {
                    rejected.add(new RejectedManifest(c.name(), problem));
                    continue;
                }
                pass = read(located.manifest(), fetcher, log);
            } catch (ArchiveException e) {
                rejected.add(new RejectedManifest(c.name(), e.getMessage()));
                continue;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "scrubbing " + aguid + " seq " + seq + " through manifest " + c.name()
                        + " failed unexpectedly", e);
                rejected.add(new RejectedManifest(c.name(), e.toString()));
                continue;
            }
            Manifest m = located.manifest();
            if (pass.mismatch != null) {
                rejected.add(new RejectedManifest(c.name(), pass.mismatch));
                continue;
            }
            if (pass.checkedBlocks == 0 && pass.ownBlocks > 0) {
                if (unchecked == null) {
                    unchecked = new ScrubReport(c.name(), m.stripes().size(), pass.good, List.of(), pass.lost,
                            List.of(), distinct(log.corruptFragments()), log.nodesDown(), 0, 0,
                            List.of("no stripe could be decoded, so manifest " + c.name() + " is unverified: nothing"
                                    + " was repaired or copied"), List.of(), LocateStats.NONE);
                }
                rejected.add(new RejectedManifest(c.name(), "no stripe has k fragments: unverified"));
                continue;
            }
            return repair(located, pass, fetcher, log, rejected);
        }
        if (unchecked != null) {
            return new ScrubReport(unchecked.manifestName(), unchecked.stripes(), unchecked.fragmentsGood(),
                    List.of(), unchecked.lost(), List.of(), distinct(log.corruptFragments()), log.nodesDown(), 0, 0,
                    unchecked.problems(), rejected, log.locateStats());
        }
        throw locator.noneVerified(candidates, rejected);
    }

    /** What the checking read of one candidate found. */
    private static final class Pass {
        int good;
        final List<ScrubReport.LostStripe> lost = new ArrayList<>();
        /** Stripes short of a fragment, or with one held away from its placed node while that node is up. */
        final List<Integer> damaged = new ArrayList<>();
        String mismatch;
        int ownBlocks;
        int checkedBlocks;
    }

    /** Reads every fragment, decodes every stripe that can be, checks the blocks archived in them. */
    private Pass read(Manifest m, FragmentFetcher fetcher, FetchLog log) throws ArchiveException {
        CodeParams code = m.code();
        Pass pass = new Pass();
        OwnBlocks blocks = new OwnBlocks(m);
        pass.ownBlocks = blocks.own.size();
        for (int s = 0; s < m.stripes().size() && blocks.mismatch == null; s++) {
            FragmentFetcher.StripeShards shards = fetcher.fetch(m, s, code.totalShards());
            pass.good += shards.good;
            if (shards.good < code.dataShards()) {
                pass.lost.add(new ScrubReport.LostStripe(s, shards.good, code.dataShards()));
                blocks.feed(null, 0, shards.dataBytes);
                continue;
            }
            if (shards.good < code.totalShards() || !awayFromHome(m, shards, log).isEmpty()) {
                pass.damaged.add(s);
            }
            fetcher.decodeMissingData(code, shards);
            int left = shards.dataBytes;
            for (int i = 0; i < code.dataShards() && left > 0; i++) {
                int n = Math.min(left, shards.shardLength);
                blocks.feed(shards.shards[i], FragmentFetcher.OFFSET, n);
                left -= n;
            }
        }
        pass.mismatch = blocks.mismatch;
        pass.checkedBlocks = blocks.checked;
        return pass;
    }

    /** Regenerates what the damaged stripes lack; copies the manifest on if every stripe decoded. */
    private ScrubReport repair(ManifestLocator.Located located, Pass pass, FragmentFetcher fetcher, FetchLog log,
            List<RejectedManifest> rejected) throws ArchiveException {
        Manifest m = located.manifest();
        CodeParams code = m.code();
        List<String> problems = new ArrayList<>();
        List<ScrubReport.Repair> repaired = new ArrayList<>();
        List<ScrubReport.Repair> unplaced = new ArrayList<>();
        List<ScrubReport.LostStripe> lost = new ArrayList<>(pass.lost);
        for (int s : pass.damaged) {
            FragmentFetcher.StripeShards shards = fetcher.fetch(m, s, code.totalShards());
            if (shards.good < code.dataShards()) {
                lost.add(new ScrubReport.LostStripe(s, shards.good, code.dataShards()));
                continue;
            }
            for (int i : awayFromHome(m, shards, log)) {
                moveHome(m, s, i, shards, log).ifPresent(repaired::add);
            }
            if (shards.good == code.totalShards()) {
                continue;
            }
            boolean[] wasPresent = shards.present.clone();
            fetcher.decodeMissing(code, shards);
            for (int i = 0; i < code.totalShards(); i++) {
                if (!wasPresent[i]) {
                    ScrubReport.Repair r = repair(m, s, i, shards, log);
                    (r.node() >= 0 ? repaired : unplaced).add(r);
                }
            }
        }
        int[] restored = {0, 0};
        if (lost.isEmpty()) {
            restored = restoreManifest(located, log, problems);
        } else {
            problems.add("stripes were lost, so manifest " + located.name() + " is not fully verified and was not"
                    + " copied to other nodes");
        }
        lost.sort(java.util.Comparator.comparingLong(ScrubReport.LostStripe::stripe));
        return new ScrubReport(located.name(), m.stripes().size(), pass.good, repaired, lost, unplaced,
                distinct(log.corruptFragments()), log.nodesDown(), restored[0], restored[1], problems, rejected,
                log.locateStats());
    }

    private static List<CorruptFragment> distinct(List<CorruptFragment> all) {
        return all.stream().distinct().toList();
    }

    /**
     * The blocks archived with a manifest's own version, in stream order, checked against their
     * BGUIDs as the stream's bytes arrive stripe by stripe; a block touching a lost stripe is skipped.
     */
    private static final class OwnBlocks {
        final List<ArchivedBlock> own = new ArrayList<>();
        int next;
        byte[] current;
        int filled;
        boolean tainted;
        int checked;
        String mismatch;

        OwnBlocks(Manifest m) {
            Set<Bguid> seen = new HashSet<>();
            for (ArchivedBlock b : m.blocks()) {
                if (b.archivedSeq() == m.seq() && seen.add(b.bguid())) {
                    own.add(b);
                }
            }
            finishEmpty();
        }

        /** The next {@code n} bytes of the stream, from {@code bytes} at {@code from}, or unknown if null. */
        void feed(byte[] bytes, int from, int n) {
            int at = 0;
            while (at < n && next < own.size() && mismatch == null) {
                ArchivedBlock b = own.get(next);
                if (current == null) {
                    current = new byte[b.length()];
                    filled = 0;
                    tainted = false;
                }
                int take = Math.min(n - at, b.length() - filled);
                if (bytes == null) {
                    tainted = true;
                } else {
                    System.arraycopy(bytes, from + at, current, filled, take);
                }
                filled += take;
                at += take;
                if (filled == b.length()) {
                    if (!tainted) {
                        check(b, current);
                    }
                    current = null;
                    next++;
                    finishEmpty();
                }
            }
        }

        private void finishEmpty() {
            while (next < own.size() && own.get(next).length() == 0 && mismatch == null) {
                check(own.get(next), new byte[0]);
                next++;
            }
        }

        private void check(ArchivedBlock b, byte[] bytes) {
            if (Bguid.ofBlock(bytes).equals(b.bguid())) {
                checked++;
            } else {
                mismatch = "the block at offset " + b.offset() + " decodes to bytes that are not " + b.bguid();
            }
        }
    }

    private ScrubReport.Repair repair(Manifest m, int stripe, int shard, FragmentFetcher.StripeShards shards,
            FetchLog log) throws ArchiveException {
        CodeParams code = m.code();
        // The decoder wrote the shard into a fragment-shaped buffer: with its header it is the encoding.
        byte[] bytes = shards.shards[shard];
        Fragment.writeHeader(bytes, code.codeId(), code.dataShards(), code.parityShards(), shard, stripe,
                shards.dataBytes);
        Hash32 name = m.stripes().get(stripe).name(shard);
        if (!ArchiveNames.objectName(bytes).equals(name)) {
            throw new ArchiveException("regenerated fragment " + shard + " of stripe " + stripe + " of " + m.aguid()
                    + " seq " + m.seq() + " does not match its name " + name + ": the manifest's fragments disagree");
        }
        StripeFragments placed = m.stripes().get(stripe);
        for (int node : targets(m, stripe, shard, shards, log)) {
            if (log.isDown(node)) {
                continue;
            }
            try {
                nodes.put(node, name, bytes);
                boolean sharing = holdsAnotherOf(placed, shards, shard, node, log);
                shards.heldBy[shard] = node;
                return new ScrubReport.Repair(stripe, shard, name, node, node != placed.node(shard), sharing);
            } catch (IOException e) {
                log.down(node);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly storing " + name, e);
                log.down(node);
            }
        }
        return new ScrubReport.Repair(stripe, shard, name, -1, true);
    }

    /**
     * Where a regenerated fragment may go, best first: its placed node; then, in the stripe's
     * rendezvous rank, the nodes holding nothing of the stripe (neither placed there nor found
     * holding a fragment of it), so it stays on a node of its own; then, when the stripe is as
     * wide as the cluster (the default 6 + 3 on 9 nodes) and no such node exists, the other nodes
     * by how few of the stripe's fragments they will hold ({@link #endsOn}), then rank. Such a
     * node then holds two: the stripe is back to k + m fragments, so it survives any m node losses
     * that spare that node, and its placed node's return (even wiped) no longer costs a fragment;
     * a later scrub puts the fragment back on its placed node once that is up. Deterministic: a
     * function of the manifest and of what this scrub found.
     */
    private List<Integer> targets(Manifest m, int stripe, int shard, FragmentFetcher.StripeShards shards,
            FetchLog log) {
        StripeFragments placed = m.stripes().get(stripe);
        int[] load = new int[nodes.count()];
        for (int i = 0; i < shards.heldBy.length; i++) {
            int node = endsOn(placed, shards, i, log);
            if (i != shard && node >= 0) {
                load[node]++;
            }
        }
        Set<Integer> taken = new HashSet<>(placed.nodes());
        for (int holder : shards.heldBy) {
            taken.add(holder);
        }
        List<Integer> targets = new ArrayList<>();
        if (placed.node(shard) < nodes.count()) {
            targets.add(placed.node(shard));
        }
        int[] rank = Placement.rank(m.aguid(), m.seq(), stripe, nodes.count());
        List<Integer> sharing = new ArrayList<>();
        for (int node : rank) {
            if (!taken.contains(node)) {
                targets.add(node);
            } else if (node != placed.node(shard)) {
                sharing.add(node);
            }
        }
        // A stable sort keeps rank order among nodes holding equally many.
        sharing.sort(java.util.Comparator.comparingInt(n -> load[n]));
        targets.addAll(sharing);
        return targets;
    }

    /**
     * The shards of a fetched stripe found intact away from their placed node (re-homed by an
     * earlier repair, found through routing) while that node is up, so it lacks them: an earlier
     * repair moved them off a node that is back now (typically with an empty disk).
     */
    private List<Integer> awayFromHome(Manifest m, FragmentFetcher.StripeShards shards, FetchLog log) {
        StripeFragments placed = m.stripes().get(shards.stripe);
        List<Integer> away = new ArrayList<>();
        for (int i = 0; i < shards.present.length; i++) {
            int home = placed.node(i);
            if (shards.present[i] && shards.heldBy[i] != home && home < nodes.count() && !log.isDown(home)) {
                away.add(i);
            }
        }
        return away;
    }

    /**
     * Puts a copy of a fragment found away from its placed node back there (its verified bytes as
     * fetched, nothing to decode), so the stripe has one fragment per node again; the copy where it
     * was found stays (stores never delete). Empty if the placed node would not take it (it is then
     * skipped as down, and the fragment stays where it is: still intact, still found).
     */
    private Optional<ScrubReport.Repair> moveHome(Manifest m, int stripe, int shard,
            FragmentFetcher.StripeShards shards, FetchLog log) {
        int home = m.stripes().get(stripe).node(shard);
        Hash32 name = m.stripes().get(stripe).name(shard);
        try {
            nodes.put(home, name, shards.shards[shard]);
            boolean sharing = holdsAnotherOf(m.stripes().get(stripe), shards, shard, home, log);
            shards.heldBy[shard] = home;
            return Optional.of(new ScrubReport.Repair(stripe, shard, name, home, false, sharing));
        } catch (IOException e) {
            log.down(home);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "storage node " + home + " failed unexpectedly storing " + name, e);
            log.down(home);
        }
        return Optional.empty();
    }

    private boolean holdsAnotherOf(StripeFragments placed, FragmentFetcher.StripeShards shards, int shard, int node,
            FetchLog log) {
        for (int i = 0; i < shards.heldBy.length; i++) {
            if (i != shard && endsOn(placed, shards, i, log) == node) {
                return true;
            }
        }
        return false;
    }

    /**
     * The node fragment {@code i} of the stripe is on once this scrub is done: where it was found
     * (or already stored), else its placed node if that is up, since a missing fragment goes back
     * there when its turn comes; else -1. So a fragment re-homed before a later shard's repair
     * counts that shard's placed node as holding one.
     */
    private int endsOn(StripeFragments placed, FragmentFetcher.StripeShards shards, int i, FetchLog log) {
        if (shards.heldBy[i] >= 0) {
            return shards.heldBy[i] < nodes.count() ? shards.heldBy[i] : -1;
        }
        int home = placed.node(i);
        return home < nodes.count() && !log.isDown(home) ? home : -1;
    }

    /** Puts the manifest and the index entry back where they are missing; returns {copies, entries} added. */
    private int[] restoreManifest(ManifestLocator.Located located, FetchLog log, List<String> problems) {
        Hash32 key = ArchiveNames.indexKey(located.manifest().aguid(), located.manifest().seq());
        byte[] entry = located.entry().encode();
        int copies = 0;
        int entries = 0;
        for (int node = 0; node < nodes.count(); node++) {
            if (log.isDown(node)) {
                continue;
            }
            try {
                if (!nodes.has(node, located.name())) {
                    nodes.put(node, located.name(), located.bytes());
                    copies++;
                }
                Set<ByteBuffer> held = new HashSet<>();
                nodes.index(node, key).forEach(v -> held.add(ByteBuffer.wrap(v)));
                if (!held.contains(ByteBuffer.wrap(entry)) && nodes.addIndex(node, key, entry)) {
                    entries++;
                }
            } catch (IOException e) {
                log.down(node);
            } catch (IllegalStateException e) {
                problems.add("node " + node + ": index entry not restored: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly restoring a manifest", e);
                log.down(node);
            }
        }
        return new int[] {copies, entries};
    }
}
