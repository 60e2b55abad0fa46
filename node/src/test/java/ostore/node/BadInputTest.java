package ostore.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.function.Function;
import java.util.stream.Stream;
import ostore.api.Protos;
import ostore.api.v1.Clause;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.api.v1.CompareBlock;
import ostore.api.v1.HistoryRequest;
import ostore.api.v1.Predicate;
import ostore.api.v1.ReadRequest;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.Update;
import ostore.api.v1.UpdateReply;
import ostore.api.v1.WatchRequest;
import ostore.client.Actions;
import ostore.client.OstoreClient;
import ostore.client.Predicates;
import ostore.client.Selectors;
import ostore.client.SignedUpdates;
import ostore.client.Updates;
import ostore.crypto.Aguid;
import ostore.crypto.Domain;
import ostore.crypto.ResultReply;
import ostore.crypto.SigningKey;
import ostore.crypto.Vguid;
import ostore.store.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad update gets its exact status, a message naming the field or limit, and changes
 * nothing: the object's history and latest version are the same afterwards.
 */
class BadInputTest {
    @TempDir
    Path dir;

    private TestNode node;
    private SigningKey owner;
    private OstoreClient client;
    private Aguid target;

    /** What a case needs to build its request. */
    record Fixture(SigningKey owner, Aguid target, ObjectStoreGrpc.ObjectStoreBlockingStub stub) {}

    @BeforeEach
    void start() throws IOException {
        node = TestNode.start(dir);
        owner = TestNode.newKey();
        client = node.client(owner);
        target = client.aguidOf("target");
        client.put("target", EndToEndTest.text("hello"));
    }

    @AfterEach
    void stop() {
        client.close();
        node.close();
    }

    static Stream<Arguments> badUpdates() {
        return Stream.of(
                bad("malformed body", f -> signedRaw(f.owner(), new byte[] {(byte) 0xff, (byte) 0xff, 0x01}),
                        Status.Code.INVALID_ARGUMENT, "body: not a valid ostore.v1.Update"),
                bad("bad signature", f -> {
                    SignedUpdate s = SignedUpdates.sign(append(f, "x"), f.owner());
                    byte[] sig = s.getSignature().toByteArray();
                    sig[0] ^= 1;
                    return s.toBuilder().setSignature(ByteString.copyFrom(sig)).build();
                }, Status.Code.UNAUTHENTICATED, "signature: does not verify for public_key "),
                bad("signed by another key than named", f -> SignedUpdates.sign(append(f, "x"), f.owner()).toBuilder()
                                .setPublicKey(Protos.toByteString(TestNode.newKey().publicKey())).build(),
                        Status.Code.UNAUTHENTICATED, "signature: does not verify"),
                bad("oversize update", f -> SignedUpdates.sign(Updates.forObject(f.target()).when(Predicates.always())
                                .then(Actions.append(new byte[TestNode.MAX_UPDATE_BYTES])).build(), f.owner()),
                        Status.Code.RESOURCE_EXHAUSTED, "exceeds the maximum update size (" + TestNode.MAX_UPDATE_BYTES),
                bad("oversize block", f -> SignedUpdates.sign(Updates.forObject(f.target()).when(Predicates.always())
                                .then(Actions.replaceBlock(0, new byte[TestNode.MAX_BLOCK_BYTES + 1])).build(), f.owner()),
                        Status.Code.RESOURCE_EXHAUSTED, "clauses[0].actions[0].replace_block.data (65537 bytes)"),
                bad("too many clauses", f -> SignedUpdates.sign(manyClauses(f, TestNode.MAX_CLAUSES + 1), f.owner()),
                        Status.Code.RESOURCE_EXHAUSTED, "clauses (9) exceeds the maximum of 8"),
                bad("format version 2", f -> SignedUpdates.sign(append(f, "x").toBuilder().setFormatVersion(2).build(), f.owner()),
                        Status.Code.INVALID_ARGUMENT, "format_version: must be 1 (got 2)"),
                bad("clause without predicate", f -> SignedUpdates.sign(append(f, "x").toBuilder()
                                .addClauses(Clause.newBuilder().addActions(Actions.append(new byte[1]))).build(), f.owner()),
                        Status.Code.INVALID_ARGUMENT, "clauses[1].predicate: not set"),
                bad("short BGUID", f -> SignedUpdates.sign(Updates.forObject(f.target())
                                .when(Predicate.newBuilder().setCompareBlock(CompareBlock.newBuilder()
                                        .setBguid(ByteString.copyFrom(new byte[5]))).build())
                                .then(Actions.append(new byte[1])).build(), f.owner()),
                        Status.Code.INVALID_ARGUMENT, "clauses[0].predicate.compare_block.bguid: must be 32 bytes (got 5)"),
                bad("short public key", f -> SignedUpdates.sign(append(f, "x"), f.owner()).toBuilder()
                                .setPublicKey(ByteString.copyFrom(new byte[31])).build(),
                        Status.Code.INVALID_ARGUMENT, "public_key: must be 32 bytes (got 31)"),
                bad("public key that is not a curve point", f -> SignedUpdates.sign(append(f, "x"), f.owner()).toBuilder()
                                .setPublicKey(ByteString.copyFrom(HexFormat.of().parseHex("ff".repeat(31) + "7f"))).build(),
                        Status.Code.INVALID_ARGUMENT, "public_key: is not a valid Ed25519 public key"),
                bad("field unknown to format 1", f -> signedRaw(f.owner(), append(f, "x").toBuilder()
                                .setUnknownFields(UnknownFieldSet.newBuilder().addField(99,
                                        UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build())
                                .build().toByteArray()),
                        Status.Code.INVALID_ARGUMENT, "body: has fields unknown to format_version 1: [99]"),
                bad("nonce reused for another body", f -> {
                    SignedUpdate first = SignedUpdates.sign(append(f, "first").toBuilder().setNonce(42).build(), f.owner());
                    f.stub().update(first);
                    return SignedUpdates.sign(append(f, "second").toBuilder().setNonce(42).build(), f.owner());
                }, Status.Code.ALREADY_EXISTS, "nonce 42"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUpdates")
    void aBadUpdateIsRefusedPreciselyAndChangesNothing(String name, Function<Fixture, SignedUpdate> request,
            Status.Code code, String fragment) {
        SignedUpdate signed = request.apply(new Fixture(owner, target, node.stub));
        long historyBefore = client.history(target, 0, 0).size();
        Vguid latestBefore = client.read(target, Selectors.latest()).vguid();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> node.stub.update(signed));

        assertEquals(code, e.getStatus().getCode(), e::getMessage);
        String message = e.getStatus().getDescription();
        assertTrue(message.contains(fragment), () -> "'" + message + "' contains '" + fragment + "'");
        assertEquals(historyBefore, client.history(target, 0, 0).size(), "history unchanged");
        assertEquals(latestBefore, client.read(target, Selectors.latest()).vguid(), "latest unchanged");
    }

    /**
     * Refusals that depend on the object's state are decided after ordering, by every replica alike
     * (a single node is a ring of one): the answer is a signed REJECTED result naming the reason by
     * its code, and the update changes nothing (docs/protocol.md, "Errors").
     */
    static Stream<Arguments> stateDependentRefusals() {
        return Stream.of(
                Arguments.of("key not on the ACL", (Function<Fixture, SignedUpdate>) f ->
                        SignedUpdates.sign(append(f, "x"), TestNode.newKey()), Outcome.Rejection.NOT_A_WRITER),
                Arguments.of("unknown object", (Function<Fixture, SignedUpdate>) f -> SignedUpdates.sign(
                        Updates.forObject(Aguid.of(f.owner().publicKey(), "nothing")).when(Predicates.always())
                                .then(Actions.append(new byte[1])).build(), f.owner()), Outcome.Rejection.UNKNOWN_OBJECT),
                Arguments.of("invalid block index", (Function<Fixture, SignedUpdate>) f -> SignedUpdates.sign(
                        Updates.forObject(f.target()).when(Predicates.always()).then(Actions.deleteBlock(7)).build(),
                        f.owner()), Outcome.Rejection.INVALID_ACTION));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stateDependentRefusals")
    void aStateDependentRefusalIsASignedRejectionThatChangesNothing(String name, Function<Fixture, SignedUpdate> request,
            Outcome.Rejection reason) {
        SignedUpdate signed = request.apply(new Fixture(owner, target, node.stub));
        long historyBefore = client.history(target, 0, 0).size();
        Vguid latestBefore = client.read(target, Selectors.latest()).vguid();

        UpdateReply reply = node.stub.update(signed);

        assertEquals(ostore.api.v1.Outcome.REJECTED, reply.getOutcome());
        assertEquals(reason.code(), ResultReply.decode(reply.getResultReply().toByteArray()).leaf().rejection());
        assertEquals(historyBefore, client.history(target, 0, 0).size(), "history unchanged");
        assertEquals(latestBefore, client.read(target, Selectors.latest()).vguid(), "latest unchanged");
    }

    @Test
    void aReadPastTheBlockListIsInvalidNamingTheField() {
        ReadRequest.Builder read = ReadRequest.newBuilder().setAguid(Protos.toByteString(target));
        assertInvalid("first_block: 2 is past the end of version 1 (1 blocks)", read.clone().setFirstBlock(2).build());
        assertInvalid("block_count: 2 blocks from first_block 0 run past the end", read.clone().setBlockCount(2).build());
        assertInvalid("aguid: must be 32 bytes (got 3)",
                read.clone().setAguid(ByteString.copyFrom(new byte[3])).build());
    }

    @Test
    void historyAndWatchRefuseAShortAguidNamingTheField() {
        ByteString shortAguid = ByteString.copyFrom(new byte[31]);
        StatusRuntimeException history = assertThrows(StatusRuntimeException.class,
                () -> node.stub.history(HistoryRequest.newBuilder().setAguid(shortAguid).build()).hasNext());
        assertEquals(Status.Code.INVALID_ARGUMENT, history.getStatus().getCode());
        assertEquals("aguid: must be 32 bytes (got 31)", history.getStatus().getDescription());
        StatusRuntimeException watch = assertThrows(StatusRuntimeException.class,
                () -> node.stub.watch(WatchRequest.newBuilder().setAguid(shortAguid).build()).hasNext());
        assertEquals(Status.Code.INVALID_ARGUMENT, watch.getStatus().getCode());
        assertEquals("aguid: must be 32 bytes (got 31)", watch.getStatus().getDescription());
    }

    private void assertInvalid(String fragment, ReadRequest request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> node.stub.read(request).hasNext());
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains(fragment), e::getMessage);
    }

    private static Arguments bad(String name, Function<Fixture, SignedUpdate> request, Status.Code code, String fragment) {
        return Arguments.of(name, request, code, fragment);
    }

    private static Update append(Fixture f, String text) {
        return Updates.forObject(f.target()).when(Predicates.always()).then(Actions.append(EndToEndTest.text(text))).build();
    }

    private static Update manyClauses(Fixture f, int n) {
        var builder = Updates.forObject(f.target());
        for (int i = 0; i < n; i++) {
            builder.when(Predicates.always()).then(Actions.append(new byte[1]));
        }
        return builder.build();
    }

    /** A correctly signed body of arbitrary bytes, so only the body's content can be at fault. */
    private static SignedUpdate signedRaw(SigningKey key, byte[] body) {
        return SignedUpdate.newBuilder()
                .setBody(ByteString.copyFrom(body))
                .setPublicKey(Protos.toByteString(key.publicKey()))
                .setSignature(ByteString.copyFrom(ostore.crypto.UpdateSignature.sign(key, ostore.crypto.UpdateSignature.digest(key.publicKey(), body))))
                .build();
    }
}
