package ostore.node.archive;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ostore.api.Protos;
import ostore.api.v1.ArchiveGrpc;
import ostore.api.v1.ArchiveRestoreRequest;
import ostore.api.v1.RestoreEvent;
import ostore.api.v1.RestoreSummary;
import ostore.archive.ArchiveException;
import ostore.archive.CertificateChecker;
import ostore.archive.Progress;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/**
 * A restore run on a replica ({@code Archive/Restore}) and checked here, trusting the replica no
 * more than a read: the certificate must prove (aguid, seq) against the ring's keys, the root must
 * hash to the certified VGUID, and the blocks, hashed as they arrive, must make up the root's
 * block list and size. The bytes go to a temporary file renamed onto the target only when all of
 * that holds, so a lying or failing replica leaves nothing behind.
 */
public final class ReplicaRestore {
    private ReplicaRestore() {}

    /** What the replica restored and reported, checked. */
    public record Restored(VersionRoot root, Vguid vguid, Path file, RestoreSummary summary) {}

    /**
     * @param seq 0 for the latest archived version
     * @throws ArchiveException if the replica's answer does not verify, or it reports a failure
     *     (its status and message are in the exception)
     */
    public static Restored restore(ManagedChannel channel, CertificateChecker checker, Aguid aguid, long seq, Path file,
            Progress progress, long deadlineSeconds) throws IOException {
        FileVersionSink sink = new FileVersionSink(file);
        boolean begun = false;
        // Cancelled on the way out, so a refused answer does not leave the call streaming.
        Context.CancellableContext call = Context.current().withCancellation();
        Context previous = call.attach();
        try {
            Iterator<RestoreEvent> events = ArchiveGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
                    .restore(ArchiveRestoreRequest.newBuilder().setAguid(Protos.toByteString(aguid)).setSeq(seq).build());
            VersionRoot root = null;
            Vguid vguid = null;
            List<BlockListHash.Entry> blocks = new ArrayList<>();
            long bytes = 0;
            while (events.hasNext()) {
                RestoreEvent e = events.next();
                switch (e.getKindCase()) {
                    case ROOT -> {
                        if (root != null) {
                            throw new ArchiveException("the replica sent a second version root");
                        }
                        root = Protos.fromProto(e.getRoot());
                        if (!root.aguid().equals(aguid) || (seq != 0 && root.seq() != seq)) {
                            throw new ArchiveException("the replica restored " + root.aguid() + " seq " + root.seq()
                                    + ", not " + aguid + (seq == 0 ? "" : " seq " + seq));
                        }
                        vguid = checker.check(aguid, root.seq(), e.getRoot().getCertificate().toByteArray());
                        if (!root.vguid().equals(vguid)) {
                            throw new ArchiveException("the restored root hashes to " + root.vguid()
                                    + ", the certificate names " + vguid);
                        }
                        sink.begin(root, e.getRoot().getCertificate().toByteArray());
                        begun = true;
                    }
                    case BLOCK -> {
                        if (root == null || e.getBlock().getIndex() != blocks.size()) {
                            throw new ArchiveException("the replica sent block " + e.getBlock().getIndex()
                                    + (root == null ? " before the root" : ", expected block " + blocks.size()));
                        }
                        byte[] data = e.getBlock().getData().toByteArray();
                        Bguid bguid = Bguid.ofBlock(data);
                        blocks.add(new BlockListHash.Entry(bguid, data.length));
                        bytes += data.length;
                        sink.accept(blocks.size() - 1, bguid, data);
                    }
                    case PROGRESS -> progress.update(Math.min(e.getProgress().getDoneBytes(),
                            e.getProgress().getTotalBytes()), e.getProgress().getTotalBytes());
                    case SUMMARY -> {
                        if (root == null) {
                            throw new ArchiveException("the replica sent a summary before the root");
                        }
                        if (blocks.size() != root.blockCount() || bytes != root.size()
                                || !BlockListHash.root(blocks).equals(root.blocksRoot())) {
                            throw new ArchiveException("the restored blocks (" + blocks.size() + ", " + bytes
                                    + " bytes) are not the certified version's (" + root.blockCount() + ", "
                                    + root.size() + " bytes, block list root " + root.blocksRoot() + ")");
                        }
                        sink.commit();
                        begun = false;
                        return new Restored(root, vguid, file, e.getSummary());
                    }
                    default -> throw new ArchiveException("the replica sent an unknown restore event");
                }
            }
            throw new ArchiveException("the replica ended the restore without a summary");
        } catch (StatusRuntimeException e) {
            throw new ArchiveException("the replica's restore failed: " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()), e);
        } catch (IllegalArgumentException e) {
            throw new ArchiveException("the replica's restore does not verify: " + e.getMessage(), e);
        } finally {
            call.detach(previous);
            call.cancel(null);
            if (begun) {
                sink.abort();
            }
        }
    }
}
