package ostore.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import ostore.archive.manifest.Manifest;
import ostore.archive.store.ArchiveNames;
import ostore.archive.store.CorruptObjectException;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.Vguid;

/**
 * Finds the manifests of one archived version that can be trusted. Verification order, cheapest
 * and most decisive first: the index entry parses; its certificate proves that (aguid, seq)
 * committed with VGUID v; the manifest bytes hash to the name the entry gives; they parse, and the
 * parse checks the block table against the version root inside; that root hashes to v. Nothing a
 * storage node says is believed before these checks.
 */
final class ManifestLocator {
    private final ArchiveNodes nodes;
    private final CertificateChecker checker;
    private final FetchLog log;

    ManifestLocator(ArchiveNodes nodes, CertificateChecker checker, FetchLog log) {
        this.nodes = nodes;
        this.checker = checker;
        this.log = log;
    }

    /** A verified manifest, its exact bytes, and the index entry that led to it. */
    record Located(Manifest manifest, byte[] bytes, Hash32 name, IndexEntry entry, Vguid vguid) {}

    /**
     * Every distinct verified manifest of (aguid, seq), in the order found (normally exactly one:
     * correct replicas write identical manifests).
     *
     * @throws ArchiveException if none verifies, listing why each candidate was refused
     */
    List<Located> locate(Aguid aguid, long seq) throws ArchiveException {
        Hash32 key = ArchiveNames.indexKey(aguid, seq);
        Set<ByteBuffer> values = new LinkedHashSet<>();
        for (int node = 0; node < nodes.count(); node++) {
            if (log.isDown(node)) {
                continue;
            }
            try {
                nodes.index(node, key).forEach(v -> values.add(ByteBuffer.wrap(v)));
            } catch (IOException e) {
                log.down(node);
            }
        }
        List<Located> found = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        Set<Hash32> names = new HashSet<>();
        for (ByteBuffer value : values) {
            try {
                IndexEntry entry = IndexEntry.decode(value.array());
                Vguid vguid = checker.check(aguid, seq, entry.certificate());
                if (names.add(entry.manifestName())) {
                    Located l = fetch(aguid, seq, entry, vguid);
                    found.add(l);
                }
            } catch (IllegalArgumentException | ArchiveException e) {
                refused.add(e.getMessage());
            }
        }
        if (found.isEmpty()) {
            throw new ArchiveException("no verified archive manifest for " + aguid + " seq " + seq + ": "
                    + values.size() + " index entries found on " + (nodes.count() - log.nodesDown().size()) + " of "
                    + nodes.count() + " storage nodes (down: " + log.nodesDown() + ")"
                    + (refused.isEmpty() ? "" : "; refused: " + String.join("; ", refused)));
        }
        return found;
    }

    private Located fetch(Aguid aguid, long seq, IndexEntry entry, Vguid vguid) throws ArchiveException {
        Hash32 name = entry.manifestName();
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
            }
            if (bytes.isEmpty()) {
                continue;
            }
            try {
                return new Located(verified(aguid, seq, name, vguid, bytes.get()), bytes.get(), name, entry, vguid);
            } catch (IllegalArgumentException e) {
                log.corrupt(new CorruptFragment(node, name, e.getMessage()));
                problems.add("node " + node + ": " + e.getMessage());
            }
        }
        throw new ArchiveException("manifest " + name + " (certified vguid " + vguid + ") was not found intact on"
                + " any reachable storage node" + (problems.isEmpty() ? "" : ": " + String.join("; ", problems)));
    }

    /** The manifest in {@code bytes} if it is the one named and certified; else why not. */
    private static Manifest verified(Aguid aguid, long seq, Hash32 name, Vguid vguid, byte[] bytes) {
        Hash32 actual = ArchiveNames.objectName(bytes);
        if (!actual.equals(name)) {
            throw new IllegalArgumentException("manifest bytes hash to " + actual);
        }
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
