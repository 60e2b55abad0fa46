package ostore.node.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import ostore.api.Protos;
import ostore.api.v1.Action;
import ostore.api.v1.And;
import ostore.api.v1.Clause;
import ostore.api.v1.CompareVersion;
import ostore.api.v1.Not;
import ostore.api.v1.Predicate;
import ostore.api.v1.SetAcl;
import ostore.api.v1.SignedUpdate;
import ostore.client.Actions;
import ostore.client.Predicates;
import ostore.client.SignedUpdates;
import ostore.client.Updates;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.Domain;
import ostore.crypto.Hashing;
import ostore.crypto.SigningKey;
import ostore.crypto.Vguid;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Comparison;
import ostore.store.Creation;
import ostore.store.Update;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SignedUpdateDecoderTest {
    private static final SigningKey KEY = SigningKey.generate(new SecureRandom());
    private static final Aguid AGUID = Aguid.of(KEY.publicKey(), "doc");
    private static final Bguid BGUID = Bguid.ofBlock(new byte[] {1, 2, 3});
    private static final Vguid VGUID = new Vguid(Hashing.hash(Domain.VGUID, new byte[] {9}));

    private final SignedUpdateDecoder decoder = new SignedUpdateDecoder();

    @Test
    void everyPredicateAndActionConvertsToItsDomainForm() {
        ostore.api.v1.Update proto = Updates.forObject(AGUID).nonce(77).create(KEY.publicKey(), "doc")
                .when(Predicates.and(
                        Predicates.version(ostore.api.v1.Comparison.LE, 3),
                        Predicates.or(Predicates.vguid(VGUID), Predicates.not(Predicates.size(ostore.api.v1.Comparison.GT, 10))),
                        Predicates.block(2, BGUID),
                        Predicates.search(new byte[] {7})))
                .then(Actions.replaceBlock(0, new byte[] {1}), Actions.insertBlock(1, new byte[] {2}), Actions.deleteBlock(2),
                        Actions.append(new byte[] {3}), Actions.truncate(4), Actions.setAcl(List.of(KEY.publicKey()), true))
                .when(Predicates.always()).then(Actions.truncate(0))
                .build();

        AuthenticatedUpdate decoded = decoder.verify(SignedUpdates.sign(proto, KEY));

        Update expected = new Update(AGUID, 77, List.of(
                new ostore.store.Clause(new ostore.store.Predicate.And(List.of(
                        new ostore.store.Predicate.CompareVersion(Comparison.LE, 3),
                        new ostore.store.Predicate.Or(List.of(new ostore.store.Predicate.CompareVguid(VGUID),
                                new ostore.store.Predicate.Not(new ostore.store.Predicate.CompareSize(Comparison.GT, 10)))),
                        new ostore.store.Predicate.CompareBlock(2, BGUID),
                        new ostore.store.Predicate.Search(new byte[] {7}))),
                        List.of(new ostore.store.Action.ReplaceBlock(0, data(1)), new ostore.store.Action.InsertBlock(1, data(2)),
                                new ostore.store.Action.DeleteBlock(2), new ostore.store.Action.Append(data(3)),
                                new ostore.store.Action.Truncate(4),
                                new ostore.store.Action.SetAcl(List.of(KEY.publicKey()), true))),
                new ostore.store.Clause(new ostore.store.Predicate.Always(), List.of(new ostore.store.Action.Truncate(0)))),
                Optional.of(new Creation(KEY.publicKey(), "doc")));
        assertEquals(expected, decoded.update());
        assertEquals(KEY.publicKey(), decoded.writer());
    }

    @Test
    void theDigestIsTheDomainSeparatedHashOfWriterAndBodyAsTheSdkComputesIt() {
        SignedUpdate signed = SignedUpdates.sign(simple().build(), KEY);
        AuthenticatedUpdate decoded = decoder.verify(signed);
        assertEquals(Hashing.hash(Domain.UPDATE_BY_WRITER, KEY.publicKey().toBytes(), signed.getBody().toByteArray()),
                decoded.digest());
        assertEquals(SignedUpdates.digest(signed), decoded.digest());
    }

    static Stream<Arguments> badFields() {
        return Stream.of(
                bad("aguid: must be 32 bytes (got 4)", u -> u.setAguid(ByteString.copyFrom(new byte[4]))),
                bad("create.owner_public_key: must be 32 bytes (got 0)",
                        u -> u.setCreate(ostore.api.v1.Creation.newBuilder().setName("doc"))),
                bad("clauses[0].predicate: not set", u -> u.setClauses(0, u.getClauses(0).toBuilder().clearPredicate())),
                bad("clauses[0].predicate.compare_version.op: must be one of EQ, NE, LT, LE, GT, GE (got 0)",
                        u -> u.setClauses(0, clause(Predicate.newBuilder()
                                .setCompareVersion(CompareVersion.newBuilder().setSeq(1)).build()))),
                bad("clauses[0].predicate.and.operands[1]: not set", u -> u.setClauses(0, clause(Predicate.newBuilder()
                        .setAnd(And.newBuilder().addOperands(Predicates.always()).addOperands(Predicate.getDefaultInstance()))
                        .build()))),
                bad("clauses[0].predicate.not.operand: not set",
                        u -> u.setClauses(0, clause(Predicate.newBuilder().setNot(Not.getDefaultInstance()).build()))),
                bad("clauses[0].predicate.compare_vguid.vguid: must be 32 bytes (got 0)",
                        u -> u.setClauses(0, clause(Predicate.newBuilder()
                                .setCompareVguid(ostore.api.v1.CompareVguid.getDefaultInstance()).build()))),
                bad("clauses[0].actions[1]: not set",
                        u -> u.setClauses(0, u.getClauses(0).toBuilder().addActions(Action.getDefaultInstance()))),
                bad("clauses[0].actions[1].set_acl.writers[1]: must be 32 bytes (got 31)",
                        u -> u.setClauses(0, u.getClauses(0).toBuilder().addActions(Action.newBuilder().setSetAcl(
                                SetAcl.newBuilder().addWriters(Protos.toByteString(KEY.publicKey()))
                                        .addWriters(ByteString.copyFrom(new byte[31])))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFields")
    void aBadFieldIsRefusedWithItsPath(String message, UnaryOperator<ostore.api.v1.Update.Builder> breakIt) {
        SignedUpdate signed = SignedUpdates.sign(breakIt.apply(simple().build().toBuilder()).build(), KEY);
        BadRequestException e = assertThrows(BadRequestException.class, () -> decoder.verify(signed));
        assertEquals(message, e.getMessage());
        assertEquals(message.substring(0, message.indexOf(':')), e.field());
        assertFalse(e.unauthenticated());
    }

    private static Arguments bad(String message, UnaryOperator<ostore.api.v1.Update.Builder> breakIt) {
        return Arguments.of(message, breakIt);
    }

    private static Clause clause(Predicate predicate) {
        return Clause.newBuilder().setPredicate(predicate).addActions(Actions.truncate(0)).build();
    }

    private static ostore.client.UpdateBuilder simple() {
        return Updates.forObject(AGUID).when(Predicates.always()).then(Actions.append(new byte[] {1}));
    }

    private static ostore.store.Action.Data data(int b) {
        return ostore.store.Action.Data.of(new byte[] {(byte) b});
    }
}
