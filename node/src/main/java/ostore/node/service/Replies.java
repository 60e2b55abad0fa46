package ostore.node.service;

import com.google.protobuf.ByteString;
import ostore.api.Protos;
import ostore.api.v1.UpdateReply;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;

/**
 * Domain results in their wire form. Version roots and GUIDs go through {@link Protos}, the one
 * converter the SDK also uses; the history record is the version store's own type, which the SDK
 * does not depend on, so its wire form is built here.
 */
final class Replies {
    private Replies() {}

    static ostore.api.v1.VersionRoot root(StoredVersion version) {
        ostore.api.v1.VersionRoot proto = Protos.toProto(version.root());
        assert proto.getVguid().equals(Protos.toByteString(version.vguid()))
                : "the stored VGUID is the hash of the stored root";
        return proto;
    }

    /** The root with the ring's certificate for it attached, when the store holds one. */
    static ostore.api.v1.VersionRoot certifiedRoot(VersionStore store, StoredVersion version) {
        ostore.api.v1.VersionRoot proto = root(version);
        return store.certificate(version.root().aguid(), version.root().seq())
                .map(c -> proto.toBuilder().setCertificate(ByteString.copyFrom(c)).build())
                .orElse(proto);
    }

    static ostore.api.v1.HistoryEntry entry(HistoryEntry e) {
        ostore.api.v1.HistoryEntry.Builder b = ostore.api.v1.HistoryEntry.newBuilder()
                .setIndex(e.index())
                .setOutcome(e.committed() ? ostore.api.v1.Outcome.COMMITTED : ostore.api.v1.Outcome.ABORTED)
                .setUpdateDigest(Protos.toByteString(e.updateDigest()))
                .setWriter(Protos.toByteString(e.writer()))
                .setNonce(e.nonce())
                .setSeq(e.seq())
                .setTimestampMicros(e.timestampMicros())
                .setClauseIndex(e.clauseIndex())
                .setAbortReason(e.abortReason());
        e.vguid().ifPresent(v -> b.setVguid(Protos.toByteString(v)));
        return b.build();
    }

    /**
     * The reply for an update the store executed, rebuilt from its history entry: the version it
     * made (commit) or the latest version then (abort; none if the object did not exist).
     */
    static UpdateReply.Builder recorded(VersionStore store, HistoryEntry entry) {
        UpdateReply.Builder reply = UpdateReply.newBuilder()
                .setOutcome(entry.committed() ? ostore.api.v1.Outcome.COMMITTED : ostore.api.v1.Outcome.ABORTED)
                .setEntry(entry(entry));
        if (entry.seq() > 0) {
            StoredVersion version = store.read(entry.aguid(), new Selector.BySeq(entry.seq())).orElseThrow(
                    () -> new IllegalStateException("history names version " + entry.seq() + " of " + entry.aguid()
                            + ", which is missing"));
            reply.setVersion(root(version));
        }
        return reply;
    }

    /** @throws IllegalArgumentException for a rejection, which is a status, not a reply */
    static UpdateReply update(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Committed c -> UpdateReply.newBuilder()
                    .setOutcome(ostore.api.v1.Outcome.COMMITTED)
                    .setVersion(root(c.version()))
                    .setEntry(entry(c.entry()))
                    .build();
            case Outcome.Aborted a -> {
                UpdateReply.Builder b = UpdateReply.newBuilder()
                        .setOutcome(ostore.api.v1.Outcome.ABORTED)
                        .setEntry(entry(a.entry()));
                a.latest().ifPresent(v -> b.setVersion(root(v)));
                yield b.build();
            }
            case Outcome.Rejected r -> throw new IllegalArgumentException("a rejection has no reply: " + r);
        };
    }
}
