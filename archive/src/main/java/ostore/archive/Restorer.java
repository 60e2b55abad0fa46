package ostore.archive;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import ostore.archive.manifest.ArchivedBlock;
import ostore.archive.manifest.Manifest;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;

/**
 * Rebuilds an archived version from the storage nodes alone, trusting none of them.
 *
 * <p>Order of checks: the manifest is found and verified through its certificate
 * ({@link ManifestLocator}); then, stripe by stripe, each fragment is checked against the name the
 * manifest lists before the codec sees it, and any k good ones are decoded; every block's bytes are
 * checked against its BGUID (which the certified root covers) before the sink gets them. Blocks
 * archived with an earlier version are read through that version's own verified manifest. Nodes
 * that fail are skipped, corrupt fragments are skipped and reported.
 *
 * <p>The sink is transactional: if any stripe cannot be rebuilt, it is aborted and nothing of the
 * version stays. If several distinct manifests verify (only a faulty writer makes that possible),
 * each is tried in turn.
 */
public final class Restorer {
    /** How many earlier versions' stripe readers a restore keeps at once (one stripe each). */
    private static final int EARLIER_READERS = 4;

    private final ArchiveNodes nodes;
    private final CertificateChecker checker;

    public Restorer(ArchiveNodes nodes, CertificateChecker checker) {
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.checker = Objects.requireNonNull(checker, "checker");
    }

    /**
     * The verified manifest of version {@code seq} of {@code aguid}: what a writer passes as the
     * previous manifest for dedup when it no longer has it in memory (after a restart).
     *
     * @throws ArchiveException if no manifest of that version verifies
     */
    public Manifest manifest(Aguid aguid, long seq) throws ArchiveException {
        return new ManifestLocator(nodes, checker, new FetchLog()).locate(aguid, seq).getFirst().manifest();
    }

    /**
     * Restores version {@code seq} of {@code aguid} into {@code sink}.
     *
     * @throws TooFewFragmentsException if a stripe has fewer than k good fragments (sink aborted)
     * @throws ArchiveException if no manifest verifies, or the archived bytes do not match the
     *     certified version (sink aborted)
     * @throws IOException if the sink fails
     */
    public RestoreReport restore(Aguid aguid, long seq, BlockSink sink, Progress progress) throws IOException {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(progress, "progress");
        FetchLog log = new FetchLog();
        ManifestLocator locator = new ManifestLocator(nodes, checker, log);
        FragmentFetcher fetcher = new FragmentFetcher(nodes, log);
        ArchiveException failure = null;
        for (ManifestLocator.Located candidate : locator.locate(aguid, seq)) {
            sink.begin(candidate.manifest().root(), candidate.entry().certificate());
            try {
                stream(candidate.manifest(), locator, fetcher, log, sink, progress);
                sink.commit();
                return new RestoreReport(candidate.vguid(), candidate.name(), candidate.manifest().root().size(),
                        candidate.manifest().blocks().size(), log.fragmentsFetched(), log.corruptFragments(),
                        log.nodesDown());
            } catch (ArchiveException e) {
                abort(sink, e);
                failure = failure == null ? e : failure;
            } catch (IOException | RuntimeException e) {
                abort(sink, e);
                throw e;
            }
        }
        throw failure;
    }

    private static void abort(BlockSink sink, Exception cause) {
        try {
            sink.abort();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private void stream(Manifest manifest, ManifestLocator locator, FragmentFetcher fetcher, FetchLog log,
            BlockSink sink, Progress progress) throws IOException {
        StripeReader own = new StripeReader(manifest, fetcher, log);
        Map<Long, StripeReader> earlier = new LinkedHashMap<>(8, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, StripeReader> eldest) {
                return size() > EARLIER_READERS;
            }
        };
        long total = manifest.root().size();
        long done = 0;
        progress.update(0, total);
        List<ArchivedBlock> blocks = manifest.blocks();
        for (int i = 0; i < blocks.size(); i++) {
            ArchivedBlock b = blocks.get(i);
            StripeReader reader = b.archivedSeq() == manifest.seq() ? own
                    : readerOf(earlier, b.archivedSeq(), manifest, locator, fetcher, log);
            byte[] bytes = reader.read(b.offset(), b.length());
            if (!Bguid.ofBlock(bytes).equals(b.bguid())) {
                throw new ArchiveException("block " + i + " of " + manifest.aguid() + " seq " + manifest.seq()
                        + ", archived in seq " + b.archivedSeq() + " at offset " + b.offset()
                        + ", decodes to bytes that are not " + b.bguid());
            }
            sink.accept(i, b.bguid(), bytes);
            done += b.length();
            progress.update(done, total);
        }
    }

    private static StripeReader readerOf(Map<Long, StripeReader> earlier, long seq, Manifest current,
            ManifestLocator locator, FragmentFetcher fetcher, FetchLog log) throws ArchiveException {
        StripeReader r = earlier.get(seq);
        if (r == null) {
            Manifest m = locator.locate(current.aguid(), seq).getFirst().manifest();
            r = new StripeReader(m, fetcher, log);
            earlier.put(seq, r);
        }
        return r;
    }
}
