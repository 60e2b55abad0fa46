package ostore.node.archive;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import ostore.archive.ArchiveException;
import ostore.archive.BlockSink;
import ostore.archive.CodeLimits;
import ostore.archive.Progress;
import ostore.archive.RestoreReport;
import ostore.archive.Restorer;
import ostore.archive.Scrubber;
import ostore.archive.ScrubReport;
import ostore.archive.manifest.Manifest;
import ostore.archive.store.ArchiveNames;
import ostore.archive.store.CorruptObjectException;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.VersionRoot;

/**
 * Restore and scrub against the storage nodes a ring file lists, needing nothing else: no replica,
 * no version store. The CLI runs it itself for disaster recovery (every replica copy gone) and a
 * replica runs it for {@code Archive/Restore} and {@code Archive/Scrub}. Everything is checked on
 * the way ({@link Restorer}): certificates against the ring's keys, manifests, fragments, BGUIDs.
 */
public final class VersionRestore {
    /** Probing for the latest archived version stops after this many seqs (a bound, not a limit in practice). */
    static final long MAX_PROBE = 1L << 20;
    private static final int LIST_PAGE = 4096;

    private final RingStorage storage;
    private final Restorer restorer;

    public VersionRestore(RingStorage storage) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.restorer = new Restorer(storage, storage.checker(), CodeLimits.DEFAULT, storage.locator());
    }

    /** One version restored into a file. */
    public record Restored(VersionRoot root, Path file, RestoreReport report) {}

    /**
     * Restores version {@code seq} of {@code aguid} into {@code file}, which appears only when the
     * whole version is rebuilt and verified.
     *
     * @throws ostore.archive.TooFewFragmentsException if a stripe has fewer than k good fragments
     *     (nothing is written)
     * @throws ArchiveException if no verified manifest is found
     */
    public Restored restoreToFile(Aguid aguid, long seq, Path file, Progress progress) throws IOException {
        FileVersionSink sink = new FileVersionSink(file);
        RestoreReport report = restorer.restore(aguid, seq, sink, progress);
        return new Restored(sink.root(), file, report);
    }

    /** Restores into any sink (the replica's RPC streams it to the client). */
    public RestoreReport restore(Aguid aguid, long seq, BlockSink sink, Progress progress) throws IOException {
        return restorer.restore(aguid, seq, sink, progress);
    }

    /**
     * Scrubs one version: regenerates its missing or corrupt fragments onto healthy nodes,
     * re-homing those whose placed node is down (found later through routing).
     */
    public ScrubReport scrub(Aguid aguid, long seq) throws ArchiveException {
        return new Scrubber(storage, storage.checker(), CodeLimits.DEFAULT, storage.locator()).scrub(aguid, seq);
    }

    /**
     * The highest seq of {@code aguid} with an index entry on any reachable storage node, found by
     * asking for seq 1, 2, ... until one has none (so a version never archived ends the search); 0
     * if even seq 1 has none. Entries are not verified here; restoring them is.
     *
     * @throws ArchiveException if no storage node answers
     */
    public long latestArchived(Aguid aguid) throws ArchiveException {
        long seq = 0;
        while (seq < MAX_PROBE && hasEntry(aguid, seq + 1)) {
            seq++;
        }
        return seq;
    }

    /** An archived version, ordered by object then seq. */
    public record ArchivedVersion(Aguid aguid, long seq) implements Comparable<ArchivedVersion> {
        @Override
        public int compareTo(ArchivedVersion o) {
            int c = aguid.compareTo(o.aguid);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /**
     * Every version some reachable storage node holds a manifest of, found by reading every object
     * on every node (a manifest is told from a fragment only by parsing it). As heavy as a full
     * scrub's read, which is what it is for; the manifests found are not trusted here (a scrub
     * verifies each through its certificate). Nodes that fail are skipped and listed in {@code down}.
     */
    public SortedSet<ArchivedVersion> findArchived(Set<Integer> down) throws ArchiveException {
        SortedSet<ArchivedVersion> found = new TreeSet<>();
        Set<Hash32> manifests = new HashSet<>();
        for (int node = 0; node < storage.count(); node++) {
            try {
                Hash32 after = null;
                while (true) {
                    List<Hash32> page = storage.list(node, after, LIST_PAGE);
                    for (Hash32 name : page) {
                        if (manifests.contains(name)) {
                            continue;
                        }
                        Optional<byte[]> bytes;
                        try {
                            bytes = storage.get(node, name);
                        } catch (CorruptObjectException e) {
                            continue;
                        }
                        Optional<Manifest> m = bytes.flatMap(VersionRestore::asManifest);
                        if (m.isPresent()) {
                            manifests.add(name);
                            found.add(new ArchivedVersion(m.get().aguid(), m.get().seq()));
                        }
                    }
                    if (page.size() < LIST_PAGE) {
                        break;
                    }
                    after = page.getLast();
                }
            } catch (IOException e) {
                down.add(node);
            }
        }
        if (down.size() == storage.count()) {
            throw new ArchiveException("none of the " + storage.count() + " storage nodes answered");
        }
        return found;
    }

    /** The object parsed as a manifest, or empty for anything else (a fragment, or garbage a node holds). */
    private static Optional<Manifest> asManifest(byte[] bytes) {
        try {
            return Optional.of(Manifest.decode(bytes));
        } catch (RuntimeException e) {
            // Untrusted bytes: whatever a parse of them throws means "not a manifest".
            return Optional.empty();
        }
    }

    private boolean hasEntry(Aguid aguid, long seq) throws ArchiveException {
        int answered = 0;
        for (int node = 0; node < storage.count(); node++) {
            try {
                if (!storage.index(node, ArchiveNames.indexKey(aguid, seq)).isEmpty()) {
                    return true;
                }
                answered++;
            } catch (IOException e) {
                // A node down: the others decide.
            }
        }
        if (answered == 0) {
            throw new ArchiveException("none of the " + storage.count() + " storage nodes answered");
        }
        return false;
    }
}
