package ostore.node.service;

import ostore.api.Protos;
import ostore.api.v1.UpdateReply;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.StoredVersion;

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
