package ostore.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.archive.manifest.Manifest;
import ostore.archive.store.ArchiveNames;
import ostore.archive.store.CorruptObjectException;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.Vguid;

/**
 * Finds the manifests of one archived version that may be trusted, and fetches them one at a time.
 *
 * <p>Verification order, cheapest and most decisive first: the index entry parses; its certificate
 * proves that (aguid, seq) committed with VGUID v; the manifest bytes hash to the name the entry
 * gives; they parse, and the parse checks the block table against the version root inside; that
 * root hashes to v; its code is within the caller's {@link CodeLimits}.
 *
 * <p>That is not enough to trust a manifest. The certificate binds the version root, not the
 * manifest: anyone can copy a valid certificate out of an index entry and add an entry naming a
 * manifest with the real root but invented fragments or block locations. So this class never
 * picks one: it returns every candidate that passes the certificate check, ordered by how many
 * distinct storage nodes list that manifest name under the key (most first; correct replicas all
 * write the same manifest, so it is normally on every node), and its users try them in turn until
 * one restores (or scrubs) with every byte checked against its BGUID. Manifests are fetched lazily,
 * one candidate at a time, so a flood of candidates costs time, not memory.
 */
final class ManifestLocator {
    private static final Logger LOG = Logger.getLogger(ManifestLocator.class.getName());

    private final ArchiveNodes nodes;
    private final CertificateChecker checker;
    private final FetchLog log;
    private final CodeLimits limits;

    ManifestLocator(ArchiveNodes nodes, CertificateChecker checker, FetchLog log, CodeLimits limits) {
        this.nodes = nodes;
        this.checker = checker;
        this.log = log;
        this.limits = limits;
    }

    /** A manifest name that a certified index entry gives, and how many nodes list it. */
    record Candidate(Hash32 name, IndexEntry entry, Vguid vguid, int holders) {}

    /** What the index of one version holds: the candidates, best first, and the entries refused. */
    record Candidates(Aguid aguid, long seq, List<Candidate> list, int values, List<String> refused) {}

    /** A fetched manifest that passed every check short of restoring it, its exact bytes, and its entry. */
    record Located(Manifest manifest, byte[] bytes, Hash32 name, IndexEntry entry, Vguid vguid) {}

    /** Reads the index key of (aguid, seq) on every node not down and ranks the certified candidates. */
    Candidates candidates(Aguid aguid, long seq) {
        Hash32 key = ArchiveNames.indexKey(aguid, seq);
        Map<ByteBuffer, Object> checked = new HashMap<>();
        Map<Hash32, Candidate> first = new LinkedHashMap<>();
        Map<Hash32, Set<Integer>> holders = new HashMap<>();
        List<String> refused = new ArrayList<>();
        for (int node = 0; node < nodes.count(); node++) {
            if (log.isDown(node)) {
                continue;
            }
            List<byte[]> values;
            try {
                values = nodes.index(node, key);
            } catch (IOException e) {
                log.down(node);
                continue;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly reading index " + key, e);
                log.down(node);
                continue;
            }
            for (byte[] value : values) {
                Object result = checked.computeIfAbsent(ByteBuffer.wrap(value), v -> check(aguid, seq, value));
                if (result instanceof String) {
                    continue;
                }
                Candidate c = (Candidate) result;
                first.putIfAbsent(c.name(), c);
                holders.computeIfAbsent(c.name(), n -> new TreeSet<>()).add(node);
            }
        }
        checked.values().stream().filter(String.class::isInstance).map(String.class::cast).forEach(refused::add);
        List<Candidate> list = new ArrayList<>();
        for (Candidate c : first.values()) {
            list.add(new Candidate(c.name(), c.entry(), c.vguid(), holders.get(c.name()).size()));
        }
        // Stable: equally held candidates keep the order they were found in.
        list.sort(Comparator.comparingInt(Candidate::holders).reversed());
        return new Candidates(aguid, seq, List.copyOf(list), checked.size(), refused);
    }

    /** The candidate for one index value, or why the value is refused. */
    private Object check(Aguid aguid, long seq, byte[] value) {
        try {
            IndexEntry entry = IndexEntry.decode(value);
            Vguid vguid = checker.check(aguid, seq, entry.certificate());
            return new Candidate(entry.manifestName(), entry, vguid, 0);
        } catch (RuntimeException e) {
            return "index entry refused: " + e.getMessage();
        }
    }

    /**
     * Fetches a candidate's manifest from the first node that holds it intact.
     *
     * @throws ArchiveException if no reachable node holds it intact, or it is not the certified
     *     version's manifest, or its code is outside the limits
     */
    Located fetch(Aguid aguid, long seq, Candidate candidate) throws ArchiveException {
        Hash32 name = candidate.name();
        List<String> problems = new ArrayList<>();
        for (int node = 0; node < nodes.count(); node++) {
            if (log.isDown(node)) {
                continue;
            }
            Optional<byte[]> bytes;
            try {
                bytes = nodes.get(node, name);
            } catch (CorruptObjectException e) {
                log.corrupt(new CorruptFragment(node, name, "the node found the manifest corrupt: " + e.getMessage()));
                continue;
            } catch (IOException e) {
                log.down(node);
                continue;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly on get " + name, e);
                log.down(node);
                continue;
            }
            if (bytes.isEmpty()) {
                continue;
            }
            Hash32 actual = ArchiveNames.objectName(bytes.get());
            if (!actual.equals(name)) {
                log.corrupt(new CorruptFragment(node, name, "manifest bytes hash to " + actual));
                problems.add("node " + node + ": bytes hash to " + actual);
                continue;
            }
            // Bytes that match the name are the same on every node: a check failing now fails everywhere.
            try {
                Manifest m = verified(aguid, seq, candidate.vguid(), bytes.get());
                String refusal = limits.refusal(m.code());
                if (refusal != null) {
                    throw new IllegalArgumentException(refusal);
                }
                return new Located(m, bytes.get(), name, candidate.entry(), candidate.vguid());
            } catch (IllegalArgumentException e) {
                throw new ArchiveException("manifest " + name + " is not the certified manifest of " + aguid + " seq "
                        + seq + ": " + e.getMessage(), e);
            }
        }
        throw new ArchiveException("manifest " + name + " (certified vguid " + candidate.vguid() + ") was not found"
                + " intact on any reachable storage node" + (problems.isEmpty() ? "" : ": " + String.join("; ", problems)));
    }

    /** Why no candidate of {@code c} would do, with what each one met. */
    ArchiveException noneVerified(Candidates c, List<RejectedManifest> rejected) {
        List<String> why = new ArrayList<>(c.refused());
        rejected.forEach(r -> why.add("manifest " + r.name() + " rejected: " + r.reason()));
        return new ArchiveException("no verified archive manifest for " + c.aguid() + " seq " + c.seq() + ": "
                + c.values() + " index entries found on " + (nodes.count() - log.nodesDown().size()) + " of "
                + nodes.count() + " storage nodes (down: " + log.nodesDown() + ")"
                + (c.list().isEmpty() ? "" : ", naming " + c.list().size() + " certified manifests")
                + (why.isEmpty() ? "" : "; " + String.join("; ", why)));
    }

    /** The manifest in {@code bytes} if it is the certified one; else why not. */
    private static Manifest verified(Aguid aguid, long seq, Vguid vguid, byte[] bytes) {
        Manifest m;
        try {
            m = Manifest.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed manifest: " + e.getMessage(), e);
        }
        if (!m.aguid().equals(aguid) || m.seq() != seq) {
            throw new IllegalArgumentException("manifest is for " + m.aguid() + " seq " + m.seq());
        }
        if (!m.vguid().equals(vguid)) {
            throw new IllegalArgumentException("manifest's version root hashes to " + m.vguid()
                    + ", the certificate names " + vguid);
        }
        return m;
    }
}
