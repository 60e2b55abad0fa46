package ostore.client;

import static ostore.client.Fixtures.AGUID;
import static ostore.client.Fixtures.OTHER;
import static ostore.client.Fixtures.OWNER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import ostore.api.Protos;
import ostore.api.v1.Action;
import ostore.api.v1.Comparison;
import ostore.api.v1.Predicate;
import ostore.api.v1.Update;
import ostore.api.v1.VersionSelector;
import ostore.crypto.Bguid;

class UpdateBuilderTest {
    @Test
    void buildsClausesInOrderWithCreationAndNonce() {
        Update u = Updates.forObject(AGUID)
                .nonce(42)
                .create(OWNER.publicKey(), "notes.txt")
                .when(Predicates.version(Comparison.EQ, 0)).then(Actions.append(new byte[] {1, 2}))
                .when(Predicates.always()).then(Actions.truncate(0), Actions.append(new byte[] {3}))
                .build();
        assertEquals(Updates.FORMAT_VERSION, u.getFormatVersion());
        assertEquals(Protos.toByteString(AGUID), u.getAguid());
        assertEquals(42, u.getNonce());
        assertEquals(Protos.toByteString(OWNER.publicKey()), u.getCreate().getOwnerPublicKey());
        assertEquals("notes.txt", u.getCreate().getName());
        assertEquals(2, u.getClausesCount());
        assertEquals(Comparison.EQ, u.getClauses(0).getPredicate().getCompareVersion().getOp());
        assertEquals(0, u.getClauses(0).getPredicate().getCompareVersion().getSeq());
        assertEquals(ByteString.copyFrom(new byte[] {1, 2}), u.getClauses(0).getActions(0).getAppend().getData());
        assertTrue(u.getClauses(1).getPredicate().hasAlways());
        assertEquals(List.of(Action.KindCase.TRUNCATE, Action.KindCase.APPEND),
                u.getClauses(1).getActionsList().stream().map(Action::getKindCase).toList());
    }

    @Test
    void withoutCreateTheUpdateCannotCreate() {
        Update u = Updates.forObject(AGUID).when(Predicates.always()).then().build();
        assertFalse(u.hasCreate());
        assertEquals(1, u.getClausesCount());
        assertEquals(0, u.getClauses(0).getActionsCount());
    }

    @Test
    void eachBuilderDrawsItsOwnNonce() {
        long a = Updates.forObject(AGUID).when(Predicates.always()).then().build().getNonce();
        long b = Updates.forObject(AGUID).when(Predicates.always()).then().build().getNonce();
        assertNotEquals(a, b, "two random 64-bit nonces collide with probability 2^-64");
    }

    @Test
    void refusesACreationThatNamesAnotherObject() {
        UpdateBuilder b = Updates.forObject(AGUID);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.create(OTHER.publicKey(), "notes.txt"));
        assertTrue(e.getMessage().contains("not the update's AGUID " + AGUID), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.create(OWNER.publicKey(), "other.txt"));
    }

    @Test
    void refusesAnUpdateWithoutClauses() {
        assertThrows(IllegalStateException.class, () -> Updates.forObject(AGUID).build());
    }

    @Test
    void predicatesHaveTheRequestedShape() {
        Bguid bguid = Bguid.ofBlock(new byte[] {9});
        Predicate p = Predicates.or(
                Predicates.and(Predicates.size(Comparison.GE, 10), Predicates.block(3, bguid)),
                Predicates.not(Predicates.search(new byte[] {'x'})),
                Predicates.vguid(Fixtures.firstRoot(Fixtures.blocks(1)).vguid()));
        assertEquals(3, p.getOr().getOperandsCount());
        Predicate and = p.getOr().getOperands(0);
        assertEquals(Comparison.GE, and.getAnd().getOperands(0).getCompareSize().getOp());
        assertEquals(10, and.getAnd().getOperands(0).getCompareSize().getSize());
        assertEquals(3, and.getAnd().getOperands(1).getCompareBlock().getIndex());
        assertEquals(Protos.toByteString(bguid), and.getAnd().getOperands(1).getCompareBlock().getBguid());
        assertEquals(ByteString.copyFromUtf8("x"), p.getOr().getOperands(1).getNot().getOperand().getSearch().getNeedle());
        assertEquals(32, p.getOr().getOperands(2).getCompareVguid().getVguid().size());
    }

    @Test
    void predicatePreconditionsNameTheBadValue() {
        assertMessage("comparison (COMPARISON_UNSPECIFIED)",
                () -> Predicates.version(Comparison.COMPARISON_UNSPECIFIED, 1));
        assertMessage("comparison (null)", () -> Predicates.size(null, 1));
        assertMessage("seq (-1) must be >= 0", () -> Predicates.version(Comparison.EQ, -1));
        assertMessage("and needs at least one operand", Predicates::and);
        assertMessage("or needs at least one operand", Predicates::or);
        assertMessage("block index (-2)", () -> Predicates.block(-2, Bguid.ofBlock(new byte[0])));
    }

    @Test
    void actionsHaveTheRequestedShape() {
        assertEquals(5, Actions.replaceBlock(5, new byte[] {1}).getReplaceBlock().getIndex());
        assertEquals(ByteString.copyFrom(new byte[] {2}), Actions.insertBlock(0, new byte[] {2}).getInsertBlock().getData());
        assertEquals(7, Actions.deleteBlock(7).getDeleteBlock().getIndex());
        assertEquals(100, Actions.truncate(100).getTruncate().getSize());
        Action acl = Actions.setAcl(List.of(OTHER.publicKey()), true);
        assertEquals(List.of(Protos.toByteString(OTHER.publicKey())), acl.getSetAcl().getWritersList());
        assertTrue(acl.getSetAcl().getEncrypted());
        assertMessage("truncate size (-1)", () -> Actions.truncate(-1));
        assertMessage("block index (-1)", () -> Actions.deleteBlock(-1));
    }

    @Test
    void selectorsEncodeTheirChoice() {
        assertTrue(Selectors.latest().getLatest());
        assertEquals(3, Selectors.seq(3).getSeq());
        assertEquals(VersionSelector.KindCase.VGUID,
                Selectors.vguid(Fixtures.firstRoot(Fixtures.blocks(1)).vguid()).getKindCase());
        assertEquals(1_700_000_000_123_456L,
                Selectors.asOf(Instant.ofEpochSecond(1_700_000_000L, 123_456_789)).getAsOfMicros());
        assertEquals(-1L, Selectors.asOf(Instant.ofEpochSecond(-1, 999_999_000)).getAsOfMicros());
        assertMessage("seq (0) must be >= 1", () -> Selectors.seq(0));
        assertMessage("outside the int64 microsecond range", () -> Selectors.asOf(Instant.MAX));
    }

    private static void assertMessage(String fragment, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(fragment), () -> "\"" + e.getMessage() + "\" lacks \"" + fragment + "\"");
    }
}
