package ostore.archive;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.archive.manifest.ArchivedBlock;
import ostore.archive.manifest.Manifest;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.VersionRoot;

/**
 * Rebuilds an archived version from the storage nodes alone, trusting none of them.
 *
 * <p>Order of checks: the candidate manifests are found through their certificates
 * ({@link ManifestLocator}); then, stripe by stripe, each fragment is checked against the name the
 * manifest lists before the codec sees it, any k good ones are decoded (only the missing data
 * shards), and every block's bytes are checked against its BGUID (which the certified root covers)
 * before the sink gets them. Blocks archived with an earlier version are read through that
 * version's candidate manifests, each block from the first that yields bytes matching its BGUID.
 * Nodes that fail (in any way, an unchecked exception included) are skipped for the rest of the
 * call; corrupt fragments are skipped and reported. A fragment its placed node does not give is
 * looked for through the {@link FragmentLocator} (the routing layer) before every node is asked,
 * and the report counts how each was found ({@link RestoreReport#located()}).
 *
 * <p>A stripe's fragments are fetched from their nodes at once, and the next stripe is fetched
 * while the sink takes the current one ({@link FragmentFetcher}); bytes, reports and errors are
 * those a one-at-a-time restore gives, and no request outlives the call.
 *
 * <p>A certificate binds the version root, not the manifest, so a valid certificate can be copied
 * next to a forged manifest. No candidate is trusted for being first: they are tried in order of
 * how many storage nodes list them, and one that fails verification is reported in {@link
 * RestoreReport#rejected()} and the next is tried. The sink is transactional: a candidate that
 * fails is aborted before the next begins, and if none restores, nothing of the version stays.
 */
public final class Restorer {
    private static final Logger LOG = Logger.getLogger(Restorer.class.getName());
    /** How many earlier versions' stripe readers a restore keeps at once (one stripe each). */
    private static final int EARLIER_READERS = 4;

    private final ArchiveNodes nodes;
    private final CertificateChecker checker;
    private final CodeLimits limits;
    private final FragmentLocator locator;

    /** A restorer that accepts codes within {@link CodeLimits#DEFAULT}. */
    public Restorer(ArchiveNodes nodes, CertificateChecker checker) {
        this(nodes, checker, CodeLimits.DEFAULT);
    }

    /** @param limits the codes a manifest may use; a manifest outside them is rejected */
    public Restorer(ArchiveNodes nodes, CertificateChecker checker, CodeLimits limits) {
        this(nodes, checker, limits, FragmentLocator.NONE);
    }

    /**
     * @param locator where to look for a fragment its placed node does not give, before asking
     *     every node ({@link FragmentFetcher}); {@link FragmentLocator#NONE} to ask every node at once
     */
    public Restorer(ArchiveNodes nodes, CertificateChecker checker, CodeLimits limits, FragmentLocator locator) {
        this.nodes = Objects.requireNonNull(nodes, "nodes");
        this.checker = Objects.requireNonNull(checker, "checker");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.locator = Objects.requireNonNull(locator, "locator");
    }

    /**
     * A manifest of version {@code seq} of {@code aguid} that passed the checks short of decoding:
     * certificate, root, code limits, at least k fragments of every stripe present on the reachable
     * nodes, and every row pointing into an earlier version equal to a row of that version's
     * manifest (one with its own fragments present). Candidates that fail are skipped.
     *
     * <p>Cost: one index read per node per version involved, one manifest fetch per candidate tried
     * and per earlier version referred to, and a {@code has} call per fragment looked for (about k
     * per stripe of this version and of each earlier version referred to) — no fragment is read.
     * What it cannot show: that the fragments hold the bytes the blocks need. A writer that passes
     * a manifest as {@code previous} for dedup should prefer one it wrote itself or
     * {@link #verifiedManifest}; this one is for inspection and as a cheaper dedup source that at
     * worst makes a version unrestorable through this manifest, never restorable to wrong bytes.
     *
     * @throws ArchiveException if no candidate passes
     */
    public Manifest manifest(Aguid aguid, long seq) throws ArchiveException {
        FetchLog log = new FetchLog();
        ManifestLocator locator = new ManifestLocator(nodes, checker, log, limits);
        ManifestChecks checks = new ManifestChecks(nodes, locator, log, this.locator);
        ManifestLocator.Candidates candidates = locator.candidates(aguid, seq);
        List<RejectedManifest> rejected = new ArrayList<>();
        for (ManifestLocator.Candidate c : candidates.list()) {
            try {
                Manifest m = locator.fetch(aguid, seq, c).manifest();
                String problem = checks.fragmentsExist(m);
                if (problem == null) {
                    problem = checks.earlierRowsMatch(m);
                }
                if (problem == null) {
                    return m;
                }
                rejected.add(new RejectedManifest(c.name(), problem));
            } catch (ArchiveException e) {
                rejected.add(new RejectedManifest(c.name(), e.getMessage()));
            }
        }
        throw locator.noneVerified(candidates, rejected);
    }

    /**
     * The manifest of version {@code seq} of {@code aguid} that restores it: a full restore whose
     * bytes are checked and dropped. The one to pass to {@link ArchiveWriter#write} as the previous
     * manifest when the writer did not write it itself. Costs a restore's reads and decoding.
     *
     * @throws ArchiveException if no manifest restores the version
     */
    public Manifest verifiedManifest(Aguid aguid, long seq) throws ArchiveException {
        try {
            return run(aguid, seq, new DiscardingSink(), Progress.NONE).manifest;
        } catch (ArchiveException e) {
            throw e;
        } catch (IOException e) {
            throw new ArchiveException("restoring " + aguid + " seq " + seq + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Restores version {@code seq} of {@code aguid} into {@code sink}.
     *
     * @throws TooFewFragmentsException if a stripe has fewer than k good fragments (sink aborted);
     *     with several candidates, the best-ranked one's failure, the others' as suppressed
     * @throws ArchiveException if no manifest verifies, or no candidate's archived bytes match the
     *     certified version (sink aborted)
     * @throws IOException if the sink fails
     */
    public RestoreReport restore(Aguid aguid, long seq, BlockSink sink, Progress progress) throws IOException {
        return run(aguid, seq, sink, progress).report;
    }

    private record Outcome(Manifest manifest, RestoreReport report) {}

    private Outcome run(Aguid aguid, long seq, BlockSink sink, Progress progress) throws IOException {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(progress, "progress");
        FetchLog log = new FetchLog();
        ManifestLocator locator = new ManifestLocator(nodes, checker, log, limits);
        try (FragmentFetcher fetcher = new FragmentFetcher(nodes, log, this.locator)) {
            return run(aguid, seq, sink, progress, log, locator, fetcher);
        }
    }

    private Outcome run(Aguid aguid, long seq, BlockSink sink, Progress progress, FetchLog log,
            ManifestLocator locator, FragmentFetcher fetcher) throws IOException {
        EarlierVersions earlier = new EarlierVersions(aguid, locator, fetcher, log);
        ManifestLocator.Candidates candidates = locator.candidates(aguid, seq);
        List<RejectedManifest> rejected = new ArrayList<>();
        List<ArchiveException> failures = new ArrayList<>();
        for (ManifestLocator.Candidate c : candidates.list()) {
            ManifestLocator.Located l;
            try {
                l = locator.fetch(aguid, seq, c);
            } catch (ArchiveException e) {
                rejected.add(new RejectedManifest(c.name(), e.getMessage()));
                continue;
            }
            sink.begin(l.manifest().root(), l.entry().certificate());
            try {
                stream(l.manifest(), fetcher, earlier, log, sink, progress);
                try {
                    sink.commit();
                } catch (IOException | RuntimeException e) {
                    throw new SinkFailure(e);
                }
            } catch (SinkFailure e) {
                abort(sink, e.getCause());
                throw e.rethrow();
            } catch (IOException | RuntimeException e) {
                if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
                    // The caller's thread was interrupted: the restore stops, it is not this candidate's fault.
                    abort(sink, e);
                    throw e;
                }
                // Everything but the sink's own failures is this candidate's: reject it, try the next.
                if (!(e instanceof ArchiveException)) {
                    LOG.log(Level.WARNING, "restoring " + aguid + " seq " + seq + " through manifest " + c.name()
                            + " failed unexpectedly", e);
                }
                fetcher.cancelReadAhead();
                abort(sink, e);
                rejected.add(new RejectedManifest(c.name(), String.valueOf(e.getMessage())));
                failures.add(e instanceof ArchiveException a ? a
                        : new ArchiveException("manifest " + c.name() + ": " + e, e));
                continue;
            }
            RestoreReport report = new RestoreReport(l.vguid(), l.name(), l.manifest().root().size(),
                    l.manifest().blocks().size(), log.fragmentsFetched(), log.corruptFragments(), log.nodesDown(),
                    rejected, log.locateStats());
            return new Outcome(l.manifest(), report);
        }
        if (failures.isEmpty()) {
            throw locator.noneVerified(candidates, rejected);
        }
        ArchiveException first = failures.getFirst();
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        if (rejected.size() > 1) {
            first.addSuppressed(locator.noneVerified(candidates, rejected));
        }
        throw first;
    }

    private static void abort(BlockSink sink, Throwable cause) {
        try {
            sink.abort();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static void stream(Manifest manifest, FragmentFetcher fetcher, EarlierVersions earlier, FetchLog log,
            BlockSink sink, Progress progress) throws IOException, SinkFailure {
        StripeReader own = new StripeReader(manifest, fetcher, log);
        long total = manifest.root().size();
        long done = 0;
        progress.update(0, total);
        List<ArchivedBlock> blocks = manifest.blocks();
        for (int i = 0; i < blocks.size(); i++) {
            ArchivedBlock b = blocks.get(i);
            byte[] bytes;
            if (b.archivedSeq() == manifest.seq()) {
                bytes = own.read(b.offset(), b.length());
                if (!Bguid.ofBlock(bytes).equals(b.bguid())) {
                    throw new ArchiveException("block " + i + " of " + manifest.aguid() + " seq " + manifest.seq()
                            + ", archived with it at offset " + b.offset() + ", decodes to bytes that are not "
                            + b.bguid());
                }
            } else {
                bytes = earlier.read(manifest, i, b);
            }
            try {
                sink.accept(i, b.bguid(), bytes);
            } catch (IOException | RuntimeException e) {
                throw new SinkFailure(e);
            }
            done += b.length();
            progress.update(done, total);
        }
    }

    /** A failure of the sink itself, carried past the candidate handling to the caller. */
    private static final class SinkFailure extends Exception {
        private static final long serialVersionUID = 1L;

        SinkFailure(Exception cause) {
            super(cause);
        }

        IOException rethrow() {
            if (getCause() instanceof RuntimeException r) {
                throw r;
            }
            return (IOException) getCause();
        }
    }

    /**
     * The blocks a version shares with earlier ones, read through those versions' candidate
     * manifests: each block from the candidate that last worked, else from the others in turn,
     * accepted only if its bytes match its BGUID. Keeps one stripe reader per earlier version for
     * the few versions read most recently.
     */
    private static final class EarlierVersions {
        private final Aguid aguid;
        private final ManifestLocator locator;
        private final FragmentFetcher fetcher;
        private final FetchLog log;
        private final Map<Long, Source> sources = new LinkedHashMap<>(8, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Source> eldest) {
                return size() > EARLIER_READERS;
            }
        };

        EarlierVersions(Aguid aguid, ManifestLocator locator, FragmentFetcher fetcher, FetchLog log) {
            this.aguid = aguid;
            this.locator = locator;
            this.fetcher = fetcher;
            this.log = log;
        }

        byte[] read(Manifest current, int index, ArchivedBlock b) throws ArchiveException, InterruptedIOException {
            Source s = sources.get(b.archivedSeq());
            if (s == null) {
                s = new Source(locator.candidates(aguid, b.archivedSeq()));
                sources.put(b.archivedSeq(), s);
            }
            return s.read(current, index, b);
        }

        /** One earlier version: its candidates and a reader over the one in use. */
        private final class Source {
            final ManifestLocator.Candidates candidates;
            final String[] dead;
            int current = -1;
            StripeReader reader;

            Source(ManifestLocator.Candidates candidates) {
                this.candidates = candidates;
                this.dead = new String[candidates.list().size()];
            }

            byte[] read(Manifest m, int index, ArchivedBlock b) throws ArchiveException, InterruptedIOException {
                List<ArchiveException> failures = new ArrayList<>();
                List<String> why = new ArrayList<>(candidates.refused());
                int n = dead.length;
                int start = Math.max(current, 0);
                for (int t = 0; t < n; t++) {
                    int c = (start + t) % n;
                    if (dead[c] != null) {
                        why.add(dead[c]);
                        continue;
                    }
                    String name = candidates.list().get(c).name().toString();
                    try {
                        StripeReader r = readerOf(c);
                        byte[] bytes = r.read(b.offset(), b.length());
                        if (Bguid.ofBlock(bytes).equals(b.bguid())) {
                            return bytes;
                        }
                        why.add("manifest " + name + " gives other bytes");
                    } catch (ArchiveException e) {
                        failures.add(e);
                        why.add("manifest " + name + ": " + e.getMessage());
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "reading seq " + b.archivedSeq() + " of " + aguid + " through manifest "
                                + name + " failed unexpectedly", e);
                        dead[c] = "manifest " + name + ": " + e;
                        why.add(dead[c]);
                    }
                }
                if (n == 1 && failures.size() == 1) {
                    throw failures.getFirst();
                }
                ArchiveException e = new ArchiveException("block " + index + " of " + m.aguid() + " seq " + m.seq()
                        + " is archived in seq " + b.archivedSeq() + " at offset " + b.offset() + ", but no manifest of"
                        + " seq " + b.archivedSeq() + " yields its bytes (" + n + " candidates"
                        + (why.isEmpty() ? "" : ": " + String.join("; ", why)) + ")");
                failures.forEach(e::addSuppressed);
                throw e;
            }

            private StripeReader readerOf(int c) throws ArchiveException {
                if (c != current) {
                    ManifestLocator.Candidate candidate = candidates.list().get(c);
                    try {
                        Manifest m = locator.fetch(aguid, candidates.seq(), candidate).manifest();
                        reader = new StripeReader(m, fetcher, log);
                        current = c;
                    } catch (ArchiveException e) {
                        dead[c] = e.getMessage();
                        throw e;
                    }
                }
                return reader;
            }
        }
    }

    /** Checks nothing further and keeps nothing: for {@link #verifiedManifest}, which wants the outcome only. */
    private static final class DiscardingSink implements BlockSink {
        @Override
        public void begin(VersionRoot root, byte[] certificate) {}

        @Override
        public void accept(long index, Bguid bguid, byte[] bytes) {}

        @Override
        public void commit() {}

        @Override
        public void abort() {}
    }
}
