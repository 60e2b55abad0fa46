package ostore.node.archive;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.api.Protos;
import ostore.api.v1.ArchiveBacklog;
import ostore.api.v1.ArchiveGrpc;
import ostore.api.v1.ArchiveRestoreRequest;
import ostore.api.v1.ArchiveState;
import ostore.api.v1.ArchiveStatusReply;
import ostore.api.v1.ArchiveStatusRequest;
import ostore.api.v1.BlockData;
import ostore.api.v1.RestoreCorrupt;
import ostore.api.v1.RestoreEvent;
import ostore.api.v1.RestoreProgress;
import ostore.api.v1.RestoreSummary;
import ostore.api.v1.ScrubRepair;
import ostore.api.v1.ScrubReply;
import ostore.api.v1.ScrubRequest;
import ostore.api.v1.ScrubVersion;
import ostore.api.v1.VersionArchiveState;
import ostore.archive.ArchiveException;
import ostore.archive.BlockSink;
import ostore.archive.CorruptFragment;
import ostore.archive.RestoreReport;
import ostore.archive.ScrubReport;
import ostore.archive.TooFewFragmentsException;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.VersionRoot;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;

/**
 * {@code ostore.v1.Archive} on a replica: the backlog and per-version archive state
 * ({@code ostore archive status}), restores streamed to the client, and scrubs. Restores and scrubs
 * run on their own threads, at most {@value #CONCURRENT} at a time (more are refused with
 * RESOURCE_EXHAUSTED), since each holds a stripe or two of buffers and the storage nodes' bandwidth.
 */
public final class ArchiveService extends ArchiveGrpc.ArchiveImplBase {
    private static final Logger LOG = Logger.getLogger(ArchiveService.class.getName());
    public static final int CONCURRENT = 2;
    static final int DEFAULT_STATUS_LIMIT = 64;
    public static final int MAX_STATUS_LIMIT = 4096;
    /** A restore sends a progress event at least every this many bytes. */
    private static final long PROGRESS_BYTES = 4L << 20;
    /** How long a restore waits for a client that reads nothing before giving up on it. */
    private static final long STALL_MILLIS = 60_000;

    private final VersionStore store;
    private final ReplicaArchiver archiver;
    private final Semaphore running = new Semaphore(CONCURRENT);

    /** @param archiver null when the ring lists no storage nodes: status says so, restore and scrub refuse */
    public ArchiveService(VersionStore store, ReplicaArchiver archiver) {
        this.store = store;
        this.archiver = archiver;
    }

    @Override
    public void status(ArchiveStatusRequest request, StreamObserver<ArchiveStatusReply> responses) {
        // A status for one object asks the storage nodes for its manifests: off the server's
        // handler pool (one thread per core, shared with the ring's frames), like restore and scrub.
        Thread.ofVirtual().name("ostore-archive-status").start(() -> {
            try {
                responses.onNext(status(request));
                responses.onCompleted();
            } catch (StatusRuntimeException e) {
                responses.onError(e);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Archive/Status failed", e);
                responses.onError(Status.INTERNAL.withDescription("archive status failed: " + e).asRuntimeException());
            }
        });
    }

    private ArchiveStatusReply status(ArchiveStatusRequest request) {
        Aguid aguid = request.getAguid().isEmpty() ? null : aguid(request.getAguid());
        long limit = request.getLimit() == 0 ? DEFAULT_STATUS_LIMIT : Integer.toUnsignedLong(request.getLimit());
        // Each version reported costs a manifest lookup on the storage nodes: keep a reply bounded.
        if (limit > MAX_STATUS_LIMIT) {
            throw invalid("limit: " + limit + " exceeds " + MAX_STATUS_LIMIT);
        }
        if (archiver == null) {
            return ArchiveStatusReply.newBuilder().setEnabled(false).build();
        }
        ReplicaArchiver.Backlog b = archiver.backlog();
        ArchiveStatusReply.Builder reply = ArchiveStatusReply.newBuilder().setEnabled(true)
                .setBacklog(ArchiveBacklog.newBuilder().setReplica(b.replica()).setPending(b.pending())
                        .setOldestAgeMillis(b.oldestAgeMillis()).setFailing(b.failing()).setLastError(b.lastError())
                        .setArchived(b.archived()).setFoundArchived(b.foundArchived()).setFailures(b.failures())
                        .setEnqueueFailures(b.enqueueFailures()));
        if (aguid == null) {
            return reply.build();
        }
        long latest = store.read(aguid, new Selector.Latest()).map(v -> v.root().seq()).orElse(0L);
        reply.setLatestSeq(latest);
        // From 0: the latest `limit` versions, the ones most likely still in flight.
        long from = request.getFromSeq() == 0 ? Math.max(1, latest - limit + 1) : request.getFromSeq();
        for (long seq = from; seq <= latest && seq < from + limit; seq++) {
            reply.addVersions(version(aguid, seq));
        }
        return reply.build();
    }

    private VersionArchiveState version(Aguid aguid, long seq) {
        VersionArchiveState.Builder v = VersionArchiveState.newBuilder().setSeq(seq);
        long now = System.currentTimeMillis();
        ReplicaArchiver.Local local = archiver.local(aguid, seq);
        v.setDesignated(archiver.designated(aguid));
        if (local instanceof ReplicaArchiver.Local.Pending p) {
            ArchiveQueue.Pending q = p.pending();
            return v.setState(q.attempts() == 0 ? ArchiveState.PENDING : ArchiveState.FAILED).setAttempts(q.attempts())
                    .setReason(q.lastError()).setQueuedAgeMillis(Math.max(0, now - q.queuedAtMillis())).build();
        }
        try {
            ArchiveInspector.Archived a = archiver.inspector().inspect(aguid, seq);
            return v.setState(ArchiveState.ARCHIVED).setManifestName(Protos.toByteString(a.manifestName()))
                    .setK(a.k()).setM(a.m()).setArchivedBytes(a.archivedBytes()).setFragmentsPlaced(a.fragmentsPlaced())
                    .setFragmentsTotal(a.fragmentsTotal()).addAllNodesDown(a.nodesDown()).build();
        } catch (ArchiveException e) {
            if (local instanceof ReplicaArchiver.Local.Done d) {
                // Archived once, but the storage nodes no longer yield a verified manifest.
                return v.setState(ArchiveState.ARCHIVED).setManifestName(Protos.toByteString(d.done().manifestName()))
                        .setFragmentsTotal(d.done().fragmentsTotal()).setArchivedBytes(Math.max(0, d.done().archivedBytes()))
                        .setReason("archived, but no verified manifest is found now (" + e.getMessage()
                                + "); run ostore archive scrub").build();
            }
            return v.setState(ArchiveState.NOT_QUEUED).setReason(e.getMessage()).build();
        }
    }

    @Override
    public void restore(ArchiveRestoreRequest request, StreamObserver<RestoreEvent> responses) {
        ServerCallStreamObserver<RestoreEvent> out = (ServerCallStreamObserver<RestoreEvent>) responses;
        Aguid aguid;
        try {
            aguid = aguid(request.getAguid());
            enabled();
        } catch (StatusRuntimeException e) {
            responses.onError(e);
            return;
        }
        if (!running.tryAcquire()) {
            responses.onError(Status.RESOURCE_EXHAUSTED.withDescription(CONCURRENT
                    + " restores or scrubs are running on this replica; try again later").asRuntimeException());
            return;
        }
        Object ready = new Object();
        out.setOnReadyHandler(() -> {
            synchronized (ready) {
                ready.notifyAll();
            }
        });
        out.setOnCancelHandler(() -> {
            synchronized (ready) {
                ready.notifyAll();
            }
        });
        Thread.ofVirtual().name("ostore-restore").start(() -> {
            try {
                VersionRestore r = new VersionRestore(archiver.storage());
                long seq = request.getSeq() != 0 ? request.getSeq() : r.latestArchived(aguid);
                if (seq == 0) {
                    throw new ArchiveException("no archived version of " + aguid + " on the storage nodes");
                }
                StreamingSink sink = new StreamingSink(out, ready);
                RestoreReport report = r.restore(aguid, seq, sink, sink::progress);
                out.onNext(RestoreEvent.newBuilder().setSummary(summary(report)).build());
                out.onCompleted();
            } catch (TooFewFragmentsException e) {
                fail(out, Status.DATA_LOSS, e.getMessage());
            } catch (ArchiveException e) {
                fail(out, Status.NOT_FOUND, e.getMessage());
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "Archive/Restore of " + aguid + " failed", e);
                fail(out, Status.UNAVAILABLE, "restore failed: " + e.getMessage());
            } finally {
                running.release();
            }
        });
    }

    private static void fail(ServerCallStreamObserver<RestoreEvent> out, Status status, String message) {
        if (!out.isCancelled()) {
            out.onError(status.withDescription(message).asRuntimeException());
        }
    }

    static RestoreSummary summary(RestoreReport r) {
        RestoreSummary.Builder s = RestoreSummary.newBuilder().setManifestName(Protos.toByteString(r.manifestName()))
                .setBytes(r.bytes()).setBlocks(r.blocks()).setFragmentsFetched(r.fragmentsFetched())
                .addAllNodesDown(r.nodesDown());
        r.corrupt().forEach(c -> s.addCorrupt(corrupt(c)));
        return s.build();
    }

    static RestoreCorrupt corrupt(CorruptFragment c) {
        return RestoreCorrupt.newBuilder().setNode(c.node()).setName(Protos.toByteString(c.name())).setReason(c.reason())
                .build();
    }

    /** Sends a restore as it happens, waiting for the client when its flow-control window is full. */
    private static final class StreamingSink implements BlockSink {
        private final ServerCallStreamObserver<RestoreEvent> out;
        private final Object ready;
        private long lastProgress = -1;

        StreamingSink(ServerCallStreamObserver<RestoreEvent> out, Object ready) {
            this.out = out;
            this.ready = ready;
        }

        @Override
        public void begin(VersionRoot root, byte[] certificate) throws IOException {
            send(RestoreEvent.newBuilder().setRoot(Protos.toProto(root).toBuilder()
                    .setCertificate(ByteString.copyFrom(certificate))).build());
        }

        @Override
        public void accept(long index, Bguid bguid, byte[] bytes) throws IOException {
            send(RestoreEvent.newBuilder().setBlock(BlockData.newBuilder().setIndex(index)
                    .setData(ByteString.copyFrom(bytes))).build());
        }

        void progress(long done, long total) {
            if (lastProgress < 0 || done - lastProgress >= PROGRESS_BYTES || done == total) {
                lastProgress = done;
                try {
                    send(RestoreEvent.newBuilder().setProgress(RestoreProgress.newBuilder().setDoneBytes(done)
                            .setTotalBytes(total)).build());
                } catch (IOException e) {
                    // The next block's send fails the same way and ends the restore.
                }
            }
        }

        @Override
        public void commit() {}

        @Override
        public void abort() {}

        private void send(RestoreEvent event) throws IOException {
            long deadline = System.currentTimeMillis() + STALL_MILLIS;
            synchronized (ready) {
                while (!out.isReady() && !out.isCancelled()) {
                    long wait = deadline - System.currentTimeMillis();
                    if (wait <= 0) {
                        throw new IOException("the client read nothing for " + STALL_MILLIS + " ms");
                    }
                    try {
                        ready.wait(Math.min(wait, 1000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
            }
            if (out.isCancelled()) {
                throw new IOException("the client cancelled the restore");
            }
            out.onNext(event);
        }
    }

    @Override
    public void scrub(ScrubRequest request, StreamObserver<ScrubReply> responses) {
        Aguid aguid;
        try {
            aguid = aguid(request.getAguid());
            enabled();
        } catch (StatusRuntimeException e) {
            responses.onError(e);
            return;
        }
        if (!running.tryAcquire()) {
            responses.onError(Status.RESOURCE_EXHAUSTED.withDescription(CONCURRENT
                    + " restores or scrubs are running on this replica; try again later").asRuntimeException());
            return;
        }
        Thread.ofVirtual().name("ostore-scrub").start(() -> {
            try {
                VersionRestore r = new VersionRestore(archiver.storage());
                long last = request.getSeq() != 0 ? request.getSeq()
                        : Math.max(r.latestArchived(aguid),
                                store.read(aguid, new Selector.Latest()).map(StoredVersion::root).map(VersionRoot::seq).orElse(0L));
                long first = request.getSeq() != 0 ? request.getSeq() : 1;
                ScrubReply.Builder reply = ScrubReply.newBuilder();
                for (long seq = first; seq <= last; seq++) {
                    reply.addVersions(scrubOne(r, aguid, seq));
                }
                responses.onNext(reply.build());
                responses.onCompleted();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "Archive/Scrub of " + aguid + " failed", e);
                responses.onError(Status.UNAVAILABLE.withDescription("scrub failed: " + e.getMessage()).asRuntimeException());
            } finally {
                running.release();
            }
        });
    }

    /** One version's scrub as its wire message; a version that cannot be scrubbed says why. */
    public static ScrubVersion scrubOne(VersionRestore r, Aguid aguid, long seq) {
        return scrubReported(r, aguid, seq).wire();
    }

    /**
     * One version's scrub: its wire message, and the report it was made from (null when the version
     * could not be scrubbed), for what the message does not carry: how fragments were found
     * through routing ({@link ScrubReport#located()}) and which re-homed fragments share a node.
     */
    public record Scrubbed(ScrubVersion wire, ScrubReport report) {}

    /** {@link #scrubOne}, with the report. */
    public static Scrubbed scrubReported(VersionRestore r, Aguid aguid, long seq) {
        ScrubVersion.Builder v = ScrubVersion.newBuilder().setSeq(seq);
        ScrubReport s;
        try {
            s = r.scrub(aguid, seq);
        } catch (ArchiveException e) {
            return new Scrubbed(v.setError(e.getMessage()).build(), null);
        }
        v.setManifestName(Protos.toByteString(s.manifestName())).setStripes(s.stripes())
                .setFragmentsGood(s.fragmentsGood()).addAllNodesDown(s.nodesDown())
                .setManifestCopiesAdded(s.manifestCopiesAdded()).setIndexEntriesAdded(s.indexEntriesAdded())
                .addAllProblems(s.problems());
        s.repaired().forEach(x -> v.addRepaired(repair(x)));
        s.unplaced().forEach(x -> v.addUnplaced(repair(x)));
        s.lost().forEach(x -> v.addLostStripes(x.stripe()));
        s.corrupt().forEach(c -> v.addCorrupt(corrupt(c)));
        return new Scrubbed(v.build(), s);
    }

    private static ScrubRepair repair(ScrubReport.Repair r) {
        return ScrubRepair.newBuilder().setStripe(r.stripe()).setShard(r.shard()).setName(Protos.toByteString(r.name()))
                .setNode(r.node()).setRelocated(r.relocated()).build();
    }

    private void enabled() {
        if (archiver == null) {
            throw Status.FAILED_PRECONDITION.withDescription(
                    "the ring configuration lists no storage nodes: nothing is archived").asRuntimeException();
        }
    }

    private static Aguid aguid(ByteString bytes) {
        if (bytes.size() != 32) {
            throw invalid("aguid: must be 32 bytes, got " + bytes.size());
        }
        return Protos.aguid(bytes, "aguid");
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
