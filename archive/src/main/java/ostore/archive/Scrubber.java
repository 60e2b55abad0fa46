package ostore.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
 * <p>A fragment goes back to its placed node if that node is up; otherwise to the next node in the
 * stripe's rendezvous ranking ({@link Placement#rank}) that is up and holds no fragment of the
 * stripe. The manifest's placement then no longer says where it is (the manifest is content-addressed
 * and certified through its VGUID, so it is never rewritten); readers cope by asking every node
 * for a fragment its placed node lacks. The manifest and the index entry are copied back to every
 * reachable node that lost them.
 */
public final class Scrubber {
    private final ArchiveNodes nodes;
    private final CertificateChecker checker;

    public Scrubber(ArchiveNodes nodes, CertificateChecker checker) {
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.checker = Objects.requireNonNull(checker, "checker");
    }

    /**
     * Scrubs version {@code seq} of {@code aguid}: the fragments of the bytes archived with it (not
     * those of earlier versions it shares blocks with: scrub those versions for them).
     *
     * @throws ArchiveException if no verified manifest is found
     */
    public ScrubReport scrub(Aguid aguid, long seq) throws ArchiveException {
        FetchLog log = new FetchLog();
        ManifestLocator.Located located = new ManifestLocator(nodes, checker, log).locate(aguid, seq).getFirst();
        List<String> problems = new ArrayList<>();
        int[] restored = restoreManifest(located, log, problems);
        Manifest m = located.manifest();
        FragmentFetcher fetcher = new FragmentFetcher(nodes, log);
        CodeParams code = m.code();
        List<ScrubReport.Repair> repaired = new ArrayList<>();
        List<ScrubReport.Repair> unplaced = new ArrayList<>();
        List<ScrubReport.LostStripe> lost = new ArrayList<>();
        int good = 0;
        for (int s = 0; s < m.stripes().size(); s++) {
            FragmentFetcher.StripeShards shards = fetcher.fetch(m, s, code.totalShards());
            good += shards.good;
            if (shards.good == code.totalShards()) {
                continue;
            }
            if (shards.good < code.dataShards()) {
                lost.add(new ScrubReport.LostStripe(s, shards.good, code.dataShards()));
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
        return new ScrubReport(located.name(), m.stripes().size(), good, repaired, lost, unplaced,
                log.corruptFragments(), log.nodesDown(), restored[0], restored[1], problems);
    }

    private ScrubReport.Repair repair(Manifest m, int stripe, int shard, FragmentFetcher.StripeShards shards,
            FetchLog log) throws ArchiveException {
        CodeParams code = m.code();
        byte[] bytes = new Fragment(code.codeId(), code.dataShards(), code.parityShards(), shard, stripe,
                shards.dataBytes, shards.shards[shard]).encode();
        Hash32 name = m.stripes().get(stripe).name(shard);
        if (!ArchiveNames.objectName(bytes).equals(name)) {
            throw new ArchiveException("regenerated fragment " + shard + " of stripe " + stripe + " of " + m.aguid()
                    + " seq " + m.seq() + " does not match its name " + name + ": the manifest's fragments disagree");
        }
        StripeFragments placed = m.stripes().get(stripe);
        Set<Integer> taken = new HashSet<>(placed.nodes());
        for (int holder : shards.heldBy) {
            taken.add(holder);
        }
        List<Integer> targets = new ArrayList<>();
        targets.add(placed.node(shard));
        for (int node : Placement.rank(m.aguid(), m.seq(), stripe, nodes.count())) {
            if (!taken.contains(node)) {
                targets.add(node);
            }
        }
        for (int node : targets) {
            if (log.isDown(node)) {
                continue;
            }
            try {
                nodes.put(node, name, bytes);
                shards.heldBy[shard] = node;
                return new ScrubReport.Repair(stripe, shard, name, node, node != placed.node(shard));
            } catch (IOException e) {
                log.down(node);
            }
        }
        return new ScrubReport.Repair(stripe, shard, name, -1, true);
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
            }
        }
        return new int[] {copies, entries};
    }
}
