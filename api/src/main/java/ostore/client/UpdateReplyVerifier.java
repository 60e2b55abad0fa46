package ostore.client;

import io.grpc.Status;
import java.util.Objects;
import ostore.api.Protos;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.Outcome;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.Update;
import ostore.api.v1.UpdateReply;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/**
 * Checks a server's reply to one signed update. The reply must be about this very update (its
 * digest, writer and nonce), and a committed version must hash to the VGUID the reply claims and
 * name this update's digest. A failed check is {@code DATA_LOSS}; an outcome the SDK does not know
 * is {@code INTERNAL}.
 *
 * <p>What one reply cannot prove is that a quorum of the ring agreed; that needs the certificate.
 */
public final class UpdateReplyVerifier {
    private final Aguid aguid;
    private final long nonce;
    private final int clauseCount;
    private final SignedUpdate signed;
    private final Hash32 digest;

    /** {@code signed} must carry {@code update}'s serialized bytes, as {@link SignedUpdates#sign} makes it. */
    public UpdateReplyVerifier(Update update, SignedUpdate signed) {
        Objects.requireNonNull(update, "update");
        this.signed = Objects.requireNonNull(signed, "signed");
        assert update.toByteString().equals(signed.getBody()) : "signed body must be the update's bytes";
        this.aguid = Protos.aguid(update.getAguid(), "Update.aguid");
        this.nonce = update.getNonce();
        this.clauseCount = update.getClausesCount();
        this.digest = SignedUpdates.digest(signed);
    }

    /** The update digest the reply must name. */
    public Hash32 digest() {
        return digest;
    }

    public UpdateResult verify(UpdateReply reply) {
        Objects.requireNonNull(reply, "reply");
        HistoryEntry entry = reply.getEntry();
        checkEntryNamesThisUpdate(entry);
        return switch (reply.getOutcome()) {
            case COMMITTED -> committed(reply, entry);
            case ABORTED -> aborted(reply, entry);
            case OUTCOME_UNSPECIFIED, UNRECOGNIZED -> throw new OstoreException(Status.Code.INTERNAL,
                    "update reply has unknown outcome " + reply.getOutcomeValue());
            case REJECTED -> throw OstoreException.dataLoss(
                    "update reply says REJECTED, which only a ring's signed result may say, and it was not checked as one");
        };
    }

    private void checkEntryNamesThisUpdate(HistoryEntry entry) {
        if (!entry.getUpdateDigest().equals(Protos.toByteString(digest))) {
            throw OstoreException.dataLoss("reply's history entry names update " + RootChecks.hex(entry.getUpdateDigest())
                    + ", this update's digest is " + digest);
        }
        if (!entry.getWriter().equals(signed.getPublicKey())) {
            throw OstoreException.dataLoss("reply's history entry names writer " + RootChecks.hex(entry.getWriter())
                    + ", this update was signed by " + RootChecks.hex(signed.getPublicKey()));
        }
        if (entry.getNonce() != nonce) {
            throw OstoreException.dataLoss("reply's history entry has nonce " + Long.toUnsignedString(entry.getNonce())
                    + ", this update's nonce is " + Long.toUnsignedString(nonce));
        }
    }

    private UpdateResult committed(UpdateReply reply, HistoryEntry entry) {
        if (!reply.hasVersion()) {
            throw OstoreException.dataLoss("committed reply carries no version root");
        }
        VerifiedRoot verified = RootChecks.decode(reply.getVersion(), aguid);
        VersionRoot root = verified.root();
        Vguid vguid = verified.vguid();
        if (!root.updateDigest().equals(digest)) {
            throw OstoreException.dataLoss("committed version " + vguid + " was made by update " + root.updateDigest()
                    + ", not by this update " + digest);
        }
        if (entry.getOutcome() != Outcome.COMMITTED) {
            throw OstoreException.dataLoss("reply says COMMITTED, its history entry says " + entry.getOutcome());
        }
        if (!entry.getVguid().equals(Protos.toByteString(vguid))) {
            throw OstoreException.dataLoss("history entry names version " + RootChecks.hex(entry.getVguid())
                    + ", the committed root hashes to " + vguid);
        }
        if (entry.getSeq() != root.seq()) {
            throw OstoreException.dataLoss("history entry has seq " + Long.toUnsignedString(entry.getSeq())
                    + ", the committed root has seq " + root.seq());
        }
        if (entry.getClauseIndex() < 0 || entry.getClauseIndex() >= clauseCount) {
            throw OstoreException.dataLoss("history entry says clause " + entry.getClauseIndex()
                    + " committed, the update has " + clauseCount + " clauses");
        }
        return new UpdateResult(true, root, vguid, entry);
    }

    private UpdateResult aborted(UpdateReply reply, HistoryEntry entry) {
        if (entry.getOutcome() != Outcome.ABORTED) {
            throw OstoreException.dataLoss("reply says ABORTED, its history entry says " + entry.getOutcome());
        }
        if (!entry.getVguid().isEmpty() || entry.getClauseIndex() != -1) {
            throw OstoreException.dataLoss("aborted history entry names a version or clause (vguid "
                    + RootChecks.hex(entry.getVguid()) + ", clause " + entry.getClauseIndex() + ")");
        }
        if (!reply.hasVersion()) {
            if (entry.getSeq() != 0) {
                throw OstoreException.dataLoss("aborted reply has no latest version, its history entry has seq "
                        + Long.toUnsignedString(entry.getSeq()));
            }
            return new UpdateResult(false, null, null, entry);
        }
        VerifiedRoot latest = RootChecks.decode(reply.getVersion(), aguid);
        if (entry.getSeq() != latest.root().seq()) {
            throw OstoreException.dataLoss("aborted history entry has seq " + Long.toUnsignedString(entry.getSeq())
                    + ", the latest root in the reply has seq " + latest.root().seq());
        }
        return new UpdateResult(false, latest.root(), latest.vguid(), entry);
    }
}
