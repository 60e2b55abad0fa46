package ostore.node.archive;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import ostore.archive.ArchiveException;
import ostore.archive.Progress;
import ostore.archive.RestoreReport;
import ostore.archive.fragment.CodeParams;
import ostore.client.RingSpec;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.node.archive.VersionRestore.ArchivedVersion;
import ostore.node.ring.RingConfigs;
import ostore.ring.bft.RingConfig;
import ostore.store.Selector;
import ostore.store.VersionStore;

/**
 * Rebuilds a stopped replica's version store from the deep archive alone, for a ring that lost its
 * version data on more replicas than state transfer can cover (every copy gone): every certified
 * archived version is restored from its fragments, verified (certificate, manifest, fragments,
 * BGUIDs, VGUID) and installed with {@link VersionStore#installArchived}.
 *
 * <p>Determinism: versions are installed object by object in AGUID order, each object's in seq
 * order, each at the next journal position of its color. Every replica that rebuilds from the same
 * archive therefore installs the same records at the same positions and reaches the same store
 * digest per color, which the ring's checkpoints then certify. The positions used are those below
 * the ring's first batch ({@link RingConfig#MAX_BATCH_LIMIT} per color: batch 1 starts there),
 * which no batch ever takes, so the replica starts with a fresh log and executes new batches above
 * them.
 *
 * <p>Crash safety: a marker file in the data directory is written (and synced) before the first
 * install and removed only after the store is synced at the end; {@link #refuseUnfinished} keeps a
 * replica from starting on a half-rebuilt store. Running the rebuild again skips every version
 * already installed and finishes the job.
 */
public final class ArchiveRebuild {
    /** Present in a replica's data directory while a rebuild has not finished. */
    public static final String MARKER = "rebuilding-from-archive";

    /** What the rebuild is told about as it goes, for progress on a terminal or as JSON. */
    public interface Listener {
        /** Before anything is installed: what will be, and what was found but is not certified. */
        default void planned(int versions, int objects, List<ArchivedVersion> uncertified, Set<Integer> nodesDown) {}

        /** The progress of the version about to be restored. */
        default Progress progress(Aguid aguid, long seq) {
            return Progress.NONE;
        }

        /**
         * One version done: restored and installed, or found installed already ({@code installed}
         * false; {@code report} is null when it was not even restored).
         */
        default void done(Aguid aguid, long seq, boolean installed, RestoreReport report) {}
    }

    /**
     * @param installed versions restored and installed now
     * @param present versions a previous run had installed
     * @param uncertified versions whose manifest is on the storage nodes but no certified index
     *     entry, after every certified one of their object (an archive write cut short): skipped
     * @param digests every color's store digest at the end, which all rebuilt replicas must share
     */
    public record Report(int objects, long installed, long present, long bytes, List<ArchivedVersion> uncertified,
            Set<Integer> nodesDown, List<Hash32> digests) {}

    private ArchiveRebuild() {}

    /**
     * Refuses to let a replica start on {@code dataDir} while a rebuild there has not finished.
     *
     * @throws IllegalStateException if the marker is present
     */
    public static void refuseUnfinished(Path dataDir) {
        if (Files.exists(dataDir.resolve(MARKER))) {
            throw new IllegalStateException("the rebuild of " + dataDir + " from the deep archive has not finished ("
                    + dataDir.resolve(MARKER) + " is present): run `ostore rebuild` on it again to finish it");
        }
    }

    /** Writes the marker durably (file and directory synced) before the first install. */
    public static void markStarted(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path marker = dataDir.resolve(MARKER);
        try (FileChannel f = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            f.write(java.nio.ByteBuffer.wrap(("a rebuild from the deep archive started here; the replica will not"
                    + " start until `ostore rebuild` finishes\n").getBytes(StandardCharsets.UTF_8)));
            f.force(true);
        }
        syncDirectory(dataDir);
    }

    /** Removes the marker durably, once the rebuilt store is synced. */
    public static void markFinished(Path dataDir) throws IOException {
        Files.deleteIfExists(dataDir.resolve(MARKER));
        syncDirectory(dataDir);
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /**
     * Installs every certified version on the storage nodes into {@code store}, then syncs it.
     *
     * @throws ArchiveException if more than m storage nodes do not answer the listing, an object's
     *     certified versions have a gap, a color holds more versions than its positions, or a version
     *     cannot be restored (a stripe with fewer than k good fragments names itself)
     */
    public static Report run(RingSpec ring, RingStorage storage, VersionStore store, Listener listener)
            throws IOException {
        Objects.requireNonNull(listener, "listener");
        Set<Integer> down = new TreeSet<>();
        SortedSet<ArchivedVersion> found = new VersionRestore(storage).findArchived(down);
        int m = CodeParams.DEFAULT.parityShards();
        if (down.size() > m) {
            throw new ArchiveException("storage nodes " + down + " did not answer while the archive was listed: with"
                    + " more than m = " + m + " of them down a version's manifest may be on none of the others, so"
                    + " the rebuild would miss it; bring them back and run it again");
        }
        List<ArchivedVersion> uncertified = new ArrayList<>();
        List<ArchivedVersion> plan = plan(found, new ArchiveInspector(storage), uncertified);
        RingConfig config = RingConfigs.toConfig(ring);
        int[] perColor = new int[config.colors()];
        plan.forEach(v -> perColor[config.colorOf(v.aguid())]++);
        for (int color = 0; color < perColor.length; color++) {
            if (perColor[color] > RingConfig.MAX_BATCH_LIMIT) {
                throw new ArchiveException("color " + color + " has " + perColor[color] + " archived versions; a"
                        + " rebuilt store holds at most " + RingConfig.MAX_BATCH_LIMIT + " per color (the positions"
                        + " below the ring's first batch)");
            }
        }
        int objects = (int) plan.stream().map(ArchivedVersion::aguid).distinct().count();
        listener.planned(plan.size(), objects, uncertified, down);
        VersionRestore restore = new VersionRestore(storage);
        long installed = 0;
        long present = 0;
        long bytes = 0;
        for (ArchivedVersion v : plan) {
            if (store.read(v.aguid(), new Selector.BySeq(v.seq())).isPresent()
                    && store.certificate(v.aguid(), v.seq()).isPresent()) {
                present++;
                listener.done(v.aguid(), v.seq(), false, null);
                continue;
            }
            StoreVersionSink sink = new StoreVersionSink(store, config.colorOf(v.aguid()), RingConfig.MAX_BATCH_LIMIT,
                    storage.checker()::check);
            RestoreReport report = restore.restore(v.aguid(), v.seq(), sink, listener.progress(v.aguid(), v.seq()));
            if (sink.installed()) {
                installed++;
                bytes += report.bytes();
            } else {
                present++;
            }
            listener.done(v.aguid(), v.seq(), sink.installed(), report);
        }
        store.sync();
        List<Hash32> digests = new ArrayList<>();
        for (int color = 0; color < ring.colors(); color++) {
            digests.add(store.storeDigest(color));
        }
        return new Report(objects, installed, present, bytes, uncertified, down, digests);
    }

    /**
     * The versions to install, in install order: per object, seq 1 up to its last version with a
     * certified index entry, each of which must be found and certified. Versions after that are
     * skipped into {@code uncertified}; a gap below it fails the plan, before anything is installed.
     */
    private static List<ArchivedVersion> plan(SortedSet<ArchivedVersion> found, ArchiveInspector inspector,
            List<ArchivedVersion> uncertified) throws ArchiveException {
        Map<Aguid, List<ArchivedVersion>> byObject = new LinkedHashMap<>();
        found.forEach(v -> byObject.computeIfAbsent(v.aguid(), a -> new ArrayList<>()).add(v));
        List<ArchivedVersion> plan = new ArrayList<>();
        List<String> gaps = new ArrayList<>();
        for (Map.Entry<Aguid, List<ArchivedVersion>> o : byObject.entrySet()) {
            List<ArchivedVersion> certified = new ArrayList<>();
            for (ArchivedVersion v : o.getValue()) {
                if (inspector.entryPresent(v.aguid(), v.seq(), 0).isPresent()) {
                    certified.add(v);
                } else {
                    uncertified.add(v);
                }
            }
            long last = certified.isEmpty() ? 0 : certified.getLast().seq();
            List<Long> missing = new ArrayList<>();
            for (long seq = 1, i = 0; seq <= last; seq++) {
                if (i < certified.size() && certified.get((int) i).seq() == seq) {
                    i++;
                } else {
                    missing.add(seq);
                }
            }
            if (!missing.isEmpty()) {
                gaps.add(o.getKey().toHex() + " versions " + missing);
            }
            plan.addAll(certified);
            uncertified.removeIf(v -> v.aguid().equals(o.getKey()) && v.seq() < last);
        }
        if (!gaps.isEmpty()) {
            throw new ArchiveException("the archive lacks certified versions that later ones build on, so those"
                    + " objects cannot be rebuilt (nothing was installed): " + String.join("; ", gaps));
        }
        return plan;
    }
}
