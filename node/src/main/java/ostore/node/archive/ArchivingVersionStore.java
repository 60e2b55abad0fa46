package ostore.node.archive;

import java.util.Objects;
import ostore.crypto.Aguid;
import ostore.store.ForwardingVersionStore;
import ostore.store.VersionStore;

/**
 * The replica's version store as its core sees it, with one addition: attaching a version's
 * certificate also queues the version for the deep archive, and syncing the store syncs that queue
 * first. The ring core attaches a certificate once 2f+1 replicas signed the version, which is
 * exactly when the version may be archived (the index entry must carry the certificate), so this
 * catches every certified version, those installed by state transfer included, without the core
 * knowing about the archive. Every other call goes straight to the store.
 */
final class ArchivingVersionStore extends ForwardingVersionStore {
    private final ReplicaArchiver archiver;

    ArchivingVersionStore(VersionStore store, ReplicaArchiver archiver) {
        super(store);
        this.archiver = Objects.requireNonNull(archiver, "archiver");
    }

    @Override
    public void attachCertificate(Aguid aguid, long seq, byte[] certificate) {
        delegate().attachCertificate(aguid, seq, certificate);
        archiver.enqueue(aguid, seq);
    }

    /** The queue first: a queue entry may outlive its certificate, never the reverse. */
    @Override
    public void sync() {
        archiver.sync();
        delegate().sync();
    }

    // close(): the archiver is closed by its owner, after the replica core stops calling this.
}
