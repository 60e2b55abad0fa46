package ostore.client;

import static ostore.client.Fixtures.AGUID;
import static ostore.client.Fixtures.OTHER;
import static ostore.client.Fixtures.OWNER;
import static ostore.client.Fixtures.assertFails;
import static ostore.client.Fixtures.blocks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import ostore.api.Protos;
import ostore.api.v1.Comparison;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.Outcome;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.Update;
import ostore.api.v1.UpdateReply;
import ostore.crypto.Hash32;
import ostore.crypto.VersionRoot;

class UpdateReplyVerifierTest {
    private static final Status.Code DATA_LOSS = Status.Code.DATA_LOSS;
    private final Update update = Updates.forObject(AGUID).nonce(77)
            .when(Predicates.version(Comparison.EQ, 1)).then(Actions.append(new byte[] {1, 2, 3}))
            .when(Predicates.always()).then()
            .build();
    private final SignedUpdate signed = SignedUpdates.sign(update, OWNER);
    private final UpdateReplyVerifier verifier = new UpdateReplyVerifier(update, signed);
    private final Hash32 digest = SignedUpdates.digest(signed);
    private final VersionRoot previous = Fixtures.firstRoot(blocks(4));

    /** The version an honest server would create from {@code previous} with clause 0. */
    private VersionRoot created(Hash32 madeBy) {
        List<byte[]> now = List.of(blocks(4).getFirst(), new byte[] {1, 2, 3});
        VersionRoot honest = Fixtures.root(2, Optional.of(previous.vguid()), now, 2_000_000);
        return new VersionRoot(AGUID, 2, honest.predecessor(), honest.size(), honest.blockCount(), honest.blocksRoot(),
                honest.timestampMicros(), honest.acl(), madeBy);
    }

    private HistoryEntry.Builder entry(Outcome outcome) {
        return HistoryEntry.newBuilder().setIndex(5).setOutcome(outcome).setUpdateDigest(Protos.toByteString(digest))
                .setWriter(Protos.toByteString(OWNER.publicKey())).setNonce(77).setTimestampMicros(2_000_000);
    }

    private UpdateReply committed(VersionRoot root) {
        return UpdateReply.newBuilder().setOutcome(Outcome.COMMITTED).setVersion(Protos.toProto(root))
                .setEntry(entry(Outcome.COMMITTED).setSeq(root.seq()).setVguid(Protos.toByteString(root.vguid())).setClauseIndex(0))
                .build();
    }

    private UpdateReply aborted(VersionRoot latest) {
        UpdateReply.Builder r = UpdateReply.newBuilder().setOutcome(Outcome.ABORTED)
                .setEntry(entry(Outcome.ABORTED).setSeq(latest == null ? 0 : latest.seq()).setClauseIndex(-1)
                        .setAbortReason("no clause holds"));
        if (latest != null) {
            r.setVersion(Protos.toProto(latest));
        }
        return r.build();
    }

    @Test
    void acceptsAnHonestCommit() {
        VersionRoot root = created(digest);
        UpdateResult result = verifier.verify(committed(root));
        assertTrue(result.committed());
        assertEquals(root, result.root());
        assertEquals(root.vguid(), result.vguid());
        assertEquals(digest, verifier.digest());
    }

    @Test
    void acceptsHonestAbortsWithAndWithoutAnObject() {
        UpdateResult missing = verifier.verify(aborted(null));
        assertFalse(missing.committed());
        assertNull(missing.root());
        assertNull(missing.vguid());
        UpdateResult existing = verifier.verify(aborted(previous));
        assertFalse(existing.committed());
        assertEquals(previous.vguid(), existing.vguid());
        assertEquals("no clause holds", existing.entry().getAbortReason());
    }

    @Test
    void rejectsACommitOfSomeoneElsesUpdate() {
        Hash32 otherDigest = Fixtures.digest("another update");
        // Root, vguid field and entry all consistent with each other, but made by another update.
        UpdateReply r = committed(created(otherDigest));
        assertFails(DATA_LOSS, "not by this update " + digest, () -> verifier.verify(r));
    }

    @Test
    void rejectsVguidClaimsThatDoNotMatchTheRoot() {
        UpdateReply honest = committed(created(digest));
        ByteString wrong = Protos.toByteString(previous.vguid());
        UpdateReply badField = honest.toBuilder().setVersion(honest.getVersion().toBuilder().setVguid(wrong)).build();
        assertFails(DATA_LOSS, "the server's vguid field says", () -> verifier.verify(badField));
        UpdateReply badEntry = honest.toBuilder().setEntry(honest.getEntry().toBuilder().setVguid(wrong)).build();
        assertFails(DATA_LOSS, "history entry names version", () -> verifier.verify(badEntry));
        UpdateReply tamperedRoot = honest.toBuilder().setVersion(honest.getVersion().toBuilder().setSize(99)).build();
        assertFails(DATA_LOSS, "hashes to VGUID", () -> verifier.verify(tamperedRoot));
    }

    @Test
    void rejectsEntriesAboutAnotherUpdateOrInconsistentWithTheOutcome() {
        UpdateReply honest = committed(created(digest));
        assertFails(DATA_LOSS, "names update", () -> verifier.verify(honest.toBuilder()
                .setEntry(honest.getEntry().toBuilder().setUpdateDigest(Protos.toByteString(Fixtures.digest("x")))).build()));
        assertFails(DATA_LOSS, "names writer", () -> verifier.verify(honest.toBuilder()
                .setEntry(honest.getEntry().toBuilder().setWriter(Protos.toByteString(OTHER.publicKey()))).build()));
        assertFails(DATA_LOSS, "has nonce 78", () -> verifier.verify(honest.toBuilder()
                .setEntry(honest.getEntry().toBuilder().setNonce(78)).build()));
        assertFails(DATA_LOSS, "history entry has seq 3", () -> verifier.verify(honest.toBuilder()
                .setEntry(honest.getEntry().toBuilder().setSeq(3)).build()));
        assertFails(DATA_LOSS, "clause 2 committed, the update has 2 clauses", () -> verifier.verify(honest.toBuilder()
                .setEntry(honest.getEntry().toBuilder().setClauseIndex(2)).build()));
        assertFails(DATA_LOSS, "its history entry says ABORTED", () -> verifier.verify(honest.toBuilder()
                .setEntry(honest.getEntry().toBuilder().setOutcome(Outcome.ABORTED)).build()));
        assertFails(DATA_LOSS, "committed reply carries no version root",
                () -> verifier.verify(honest.toBuilder().clearVersion().build()));
    }

    @Test
    void rejectsInconsistentAborts() {
        UpdateReply honest = aborted(previous);
        assertFails(DATA_LOSS, "aborted history entry has seq 0", () -> verifier.verify(honest.toBuilder()
                .setEntry(honest.getEntry().toBuilder().setSeq(0)).build()));
        assertFails(DATA_LOSS, "no latest version, its history entry has seq 1",
                () -> verifier.verify(honest.toBuilder().clearVersion().build()));
        assertFails(DATA_LOSS, "names a version or clause", () -> verifier.verify(honest.toBuilder()
                .setEntry(honest.getEntry().toBuilder().setClauseIndex(0)).build()));
        assertFails(DATA_LOSS, "its history entry says COMMITTED", () -> verifier.verify(honest.toBuilder()
                .setEntry(honest.getEntry().toBuilder().setOutcome(Outcome.COMMITTED)).build()));
    }

    @Test
    void anUnknownOutcomeIsAnInternalError() {
        UpdateReply honest = committed(created(digest));
        assertFails(Status.Code.INTERNAL, "unknown outcome 0",
                () -> verifier.verify(honest.toBuilder().setOutcome(Outcome.OUTCOME_UNSPECIFIED).build()));
        assertFails(Status.Code.INTERNAL, "unknown outcome 9",
                () -> verifier.verify(honest.toBuilder().setOutcomeValue(9).build()));
    }
}
