package ostore.client;

import static ostore.client.Fixtures.AGUID;
import static ostore.client.Fixtures.OWNER;
import static ostore.client.Fixtures.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import ostore.api.Protos;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.api.v1.Outcome;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.Update;
import ostore.api.v1.UpdateReply;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.MerkleProof;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultReply;
import ostore.crypto.ResultStatement;
import ostore.crypto.SigningKey;
import ostore.crypto.VersionRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A ring client decides an update's outcome from f+1 matching signed results. The replicas here
 * are in-process gRPC servers holding the ring's real keys; each one answers {@code Update} as a
 * scenario scripts it (honestly, silently, with a refusal, or with a crafted reply), and the client
 * is the SDK's own ({@link OstoreClient#forRing}). Every scenario has at most f faulty replicas
 * unless it says why not; none depends on the order in which replies arrive.
 */
@Timeout(60)
class RingUpdaterTest {
    private static final long EPOCH = 5;
    private static final RingPolicy POLICY = new RingPolicy(Duration.ofMillis(500), 2);
    private static final byte[] CONTENT = "the ring's version".getBytes(StandardCharsets.UTF_8);
    private static final long NONCE = 77;
    private static final long TIMESTAMP = 2_000_000;

    private final Update update = Updates.forObject(AGUID).nonce(NONCE).create(OWNER.publicKey(), "notes.txt")
            .when(Predicates.always()).then(Actions.truncate(0), Actions.append(CONTENT))
            .build();
    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<AtomicInteger> calls = new ArrayList<>();
    private List<SigningKey> ring;

    /** What replica {@code id} does with one Update call. */
    @FunctionalInterface
    private interface Behaviour {
        void answer(int id, SignedUpdate signed, StreamObserver<UpdateReply> out);
    }

    private static final Behaviour SILENT = (id, signed, out) -> {
        // Keeps the call open; the client's deadline ends it.
    };

    private final Behaviour honest = (id, signed, out) -> send(out, committedReply(signed, rootFor(signed, CONTENT),
            result(id, committedLeaf(signed, rootFor(signed, CONTENT)), EPOCH)));

    private static Behaviour refuse(Status status) {
        return (id, signed, out) -> out.onError(status.asRuntimeException());
    }

    private static void send(StreamObserver<UpdateReply> out, UpdateReply reply) {
        out.onNext(reply);
        out.onCompleted();
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        channels.clear();
        servers.clear();
        calls.clear();
    }

    /** Starts one in-process replica per behaviour, the ring's keys seeded from 0x30. */
    private OstoreClient ring(Behaviour... behaviours) throws Exception {
        int n = behaviours.length;
        int f = (n - 1) / 3;
        ring = IntStream.range(0, n).mapToObj(i -> Fixtures.key(0x30 + i)).toList();
        List<RingSpec.Member> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            AtomicInteger count = new AtomicInteger();
            calls.add(count);
            String name = InProcessServerBuilder.generateName();
            servers.add(InProcessServerBuilder.forName(name).directExecutor()
                    .addService(new ObjectStoreGrpc.ObjectStoreImplBase() {
                        @Override
                        public void update(SignedUpdate request, StreamObserver<UpdateReply> responses) {
                            count.incrementAndGet();
                            behaviours[id].answer(id, request, responses);
                        }
                    }).build().start());
            channels.add(InProcessChannelBuilder.forName(name).build());
            members.add(new RingSpec.Member(i, "127.0.0.1", 7600 + i, ring.get(i).publicKey()));
        }
        RingSpec spec = new RingSpec(EPOCH, f, 1, Map.of(), members);
        return OstoreClient.forRing(spec, channels, OWNER, POLICY);
    }

    // ------------------------------------------------------------------ what replicas say

    private static Hash32 digest(SignedUpdate signed) {
        return SignedUpdates.digest(signed);
    }

    /** The version an update writing {@code content} to the new object creates. */
    private static VersionRoot rootFor(SignedUpdate signed, byte[] content) {
        List<BlockListHash.Entry> blocks = List.of(new BlockListHash.Entry(Bguid.ofBlock(content), content.length));
        return new VersionRoot(AGUID, 1, Optional.empty(), content.length, 1, BlockListHash.root(blocks), TIMESTAMP,
                Acl.ownerOnly(OWNER.publicKey()), digest(signed));
    }

    private static ResultLeaf committedLeaf(SignedUpdate signed, VersionRoot root) {
        return new ResultLeaf(digest(signed), ResultLeaf.COMMITTED, 0, root.aguid(), root.seq(), root.vguid().hash(),
                root.timestampMicros());
    }

    /** Replica {@code signer}'s signed result for {@code leaf}, the second of three in a batch of {@code epoch}. */
    private ResultReply result(int signer, ResultLeaf leaf, long epoch) {
        return result(signer, ring.get(signer), leaf, epoch);
    }

    private static ResultReply result(int signer, SigningKey key, ResultLeaf leaf, long epoch) {
        List<Hash32> leaves = List.of(Fixtures.digest("earlier update"), leaf.hash(), Fixtures.digest("later update"));
        ResultStatement statement = new ResultStatement(epoch, 0, 9, MerkleProof.root(leaves));
        byte[] signature = key.sign(Domain.RING_MESSAGE, statement.signedBytes(signer));
        return new ResultReply(leaf, MerkleProof.of(leaves, 1), signer, statement, signature);
    }

    private static HistoryEntry.Builder entry(SignedUpdate signed) {
        return HistoryEntry.newBuilder().setIndex(0).setUpdateDigest(Protos.toByteString(digest(signed)))
                .setWriter(signed.getPublicKey()).setNonce(nonceOf(signed)).setTimestampMicros(TIMESTAMP);
    }

    private static long nonceOf(SignedUpdate signed) {
        try {
            return Update.parseFrom(signed.getBody()).getNonce();
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static UpdateReply committedReply(SignedUpdate signed, VersionRoot root, ResultReply result) {
        return UpdateReply.newBuilder().setOutcome(Outcome.COMMITTED).setVersion(Protos.toProto(root))
                .setEntry(entry(signed).setOutcome(Outcome.COMMITTED).setSeq(root.seq())
                        .setVguid(Protos.toByteString(root.vguid())).setClauseIndex(0))
                .setResultReply(ByteString.copyFrom(result.encode()))
                .build();
    }

    /** Replies honestly but with {@code result} as its signed result. */
    private Behaviour replying(ResultFn result) {
        return (id, signed, out) -> send(out, committedReply(signed, rootFor(signed, CONTENT), result.of(id, signed)));
    }

    @FunctionalInterface
    private interface ResultFn {
        ResultReply of(int id, SignedUpdate signed);
    }

    /** A Byzantine replica's own, validly signed, claim that the update made other bytes. */
    private final Behaviour forger = (id, signed, out) -> {
        VersionRoot forged = rootFor(signed, "forged bytes".getBytes(StandardCharsets.UTF_8));
        send(out, committedReply(signed, forged, result(id, committedLeaf(signed, forged), EPOCH)));
    };

    /** What the correct replicas say the update made; Ed25519 is deterministic, so this is their signed update. */
    private void assertCommittedTheRingsVersion(UpdateResult r) {
        VersionRoot expected = rootFor(SignedUpdates.sign(update, OWNER), CONTENT);
        assertTrue(r.committed());
        assertEquals(expected, r.root());
        assertEquals(expected.vguid(), r.vguid());
        assertEquals(1, r.entry().getSeq());
    }

    // ------------------------------------------------------------------ scenarios

    @Test
    void fPlusOneMatchingSignedResultsDecideWhileTheRestAreSilent() throws Exception {
        try (OstoreClient client = ring(honest, SILENT, honest, SILENT)) {
            assertCommittedTheRingsVersion(client.submit(update));
        }
    }

    @Test
    void allHonestReplicasGiveTheirVersion() throws Exception {
        try (OstoreClient client = ring(honest, honest, honest, honest)) {
            assertCommittedTheRingsVersion(client.submit(update));
        }
    }

    @Test
    void oneByzantineReplicaSigningAnotherVersionIsOutvoted() throws Exception {
        try (OstoreClient client = ring(forger, honest, honest, honest)) {
            assertCommittedTheRingsVersion(client.submit(update));
        }
        stop();
        // With only one correct reply beside it, the forged result alone is never accepted.
        try (OstoreClient client = ring(forger, honest, SILENT, SILENT)) {
            OstoreException e = assertFails(Status.Code.UNAVAILABLE, "f+1 = 2 matching signed results are needed",
                    () -> client.submit(update));
            assertTrue(e.getMessage().contains("replica 0: signed a result; replica 1: signed a result"), e.getMessage());
        }
    }

    @Test
    void twoByzantineReplicasOfSevenAgreeingOnAForgeryAreOutvoted() throws Exception {
        try (OstoreClient client = ring(forger, honest, forger, honest, honest, SILENT, SILENT)) {
            assertCommittedTheRingsVersion(client.submit(update));
        }
    }

    @Test
    void aReplyAnotherReplicaSignedDoesNotCountForTheOneDeliveringIt() throws Exception {
        // Replica 0 relays replica 1's genuine result: were it counted, f+1 = 2 would match.
        Behaviour relay = replying((id, signed) -> result(1, committedLeaf(signed, rootFor(signed, CONTENT)), EPOCH));
        try (OstoreClient client = ring(relay, honest, SILENT, SILENT)) {
            OstoreException e = assertFails(Status.Code.UNAVAILABLE, "replica 0: result signed as replica 1",
                    () -> client.submit(update));
            assertTrue(e.getMessage().contains("replica 1: signed a result"), e.getMessage());
        }
        stop();
        // The same signature with the signer field rewritten to the deliverer's.
        Behaviour relabel = replying((id, signed) -> {
            ResultReply r = result(1, committedLeaf(signed, rootFor(signed, CONTENT)), EPOCH);
            return new ResultReply(r.leaf(), r.proof(), id, r.statement(), r.signature());
        });
        try (OstoreClient client = ring(relabel, honest, SILENT, SILENT)) {
            assertFails(Status.Code.UNAVAILABLE, "replica 0: result whose signature or proof does not verify",
                    () -> client.submit(update));
        }
    }

    @Test
    void aResultOfAnotherEpochDoesNotCount() throws Exception {
        // The right leaf, signed by the replica's own key, in a batch of another ring epoch.
        Behaviour oldEpoch = replying((id, signed) -> result(id, committedLeaf(signed, rootFor(signed, CONTENT)), EPOCH - 1));
        try (OstoreClient client = ring(oldEpoch, honest, SILENT, SILENT)) {
            assertFails(Status.Code.UNAVAILABLE, "replica 0: result of ring epoch 4", () -> client.submit(update));
        }
    }

    @Test
    void resultsForAnotherUpdateOrObjectDoNotCount() throws Exception {
        // Two replicas agree on a validly signed result for another update of the same object.
        Hash32 otherDigest = Fixtures.digest("another update");
        Behaviour otherUpdate = replying((id, signed) -> {
            VersionRoot root = rootFor(signed, CONTENT);
            return result(id, new ResultLeaf(otherDigest, ResultLeaf.COMMITTED, 0, AGUID, 1, root.vguid().hash(),
                    TIMESTAMP), EPOCH);
        });
        try (OstoreClient client = ring(otherUpdate, honest, otherUpdate, SILENT)) {
            OstoreException e = assertFails(Status.Code.UNAVAILABLE, "replica 0: result for update " + otherDigest,
                    () -> client.submit(update));
            assertTrue(e.getMessage().contains("replica 2: result for update " + otherDigest), e.getMessage());
        }
        stop();
        Aguid otherObject = Aguid.of(Fixtures.OTHER.publicKey(), "notes.txt");
        Behaviour otherAguid = replying((id, signed) -> {
            VersionRoot root = rootFor(signed, CONTENT);
            return result(id, new ResultLeaf(digest(signed), ResultLeaf.COMMITTED, 0, otherObject, 1,
                    root.vguid().hash(), TIMESTAMP), EPOCH);
        });
        try (OstoreClient client = ring(otherAguid, honest, otherAguid, SILENT)) {
            OstoreException e = assertFails(Status.Code.UNAVAILABLE, "replica 0: result for object " + otherObject,
                    () -> client.submit(update));
            assertTrue(e.getMessage().contains("replica 2: result for object " + otherObject), e.getMessage());
        }
    }

    @Test
    void unsignedOrMalformedResultsDoNotCount() throws Exception {
        Behaviour unsigned = (id, signed, out) -> send(out, committedReply(signed, rootFor(signed, CONTENT),
                result(id, committedLeaf(signed, rootFor(signed, CONTENT)), EPOCH)).toBuilder().clearResultReply().build());
        Behaviour outsider = replying((id, signed) -> result(id, Fixtures.key(0x7f),
                committedLeaf(signed, rootFor(signed, CONTENT)), EPOCH));
        try (OstoreClient client = ring(unsigned, honest, outsider, SILENT)) {
            OstoreException e = assertFails(Status.Code.UNAVAILABLE,
                    "replica 0: reply without a well-formed signed result: reply format needs 1 bytes but 0 are left",
                    () -> client.submit(update));
            assertTrue(e.getMessage().contains("replica 2: result whose signature or proof does not verify"),
                    e.getMessage());
        }
    }

    @Test
    void fMatchingAndSilenceIsUnavailableNamingEveryReplica() throws Exception {
        try (OstoreClient client = ring(SILENT, honest, SILENT, SILENT)) {
            OstoreException e = assertFails(Status.Code.UNAVAILABLE, "the ring cannot answer: 1 of 4 replicas answered "
                    + "within 2 attempts of 500 ms, and f+1 = 2 matching signed results are needed; "
                    + "replica 0: DEADLINE_EXCEEDED", () -> client.submit(update));
            assertTrue(e.getMessage().contains("; replica 1: signed a result; replica 2: DEADLINE_EXCEEDED"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("; replica 3: DEADLINE_EXCEEDED"), e.getMessage());
        }
        // Silent replicas were asked again; the one that signed was not.
        assertEquals(List.of(2, 1, 2, 2), calls.stream().map(AtomicInteger::get).toList());
    }

    @Test
    void fPlusOneDefiniteRefusalsWithOneCodeAreTheAnswer() throws Exception {
        Behaviour notWriter = refuse(Status.PERMISSION_DENIED.withDescription("not a writer of the object"));
        try (OstoreClient client = ring(notWriter, SILENT, notWriter, SILENT)) {
            assertFails(Status.Code.PERMISSION_DENIED, "not a writer of the object (refused by 2 of 4 replicas)",
                    () -> client.submit(update));
        }
    }

    @Test
    void refusalsWithDifferentCodesOrTransientCodesDecideNothing() throws Exception {
        Behaviour notWriter = refuse(Status.PERMISSION_DENIED.withDescription("not a writer"));
        Behaviour notFound = refuse(Status.NOT_FOUND.withDescription("no such object"));
        Behaviour busy = refuse(Status.UNAVAILABLE.withDescription("view change in progress"));
        try (OstoreClient client = ring(notWriter, notFound, busy, busy)) {
            OstoreException e = assertFails(Status.Code.UNAVAILABLE, "2 of 4 replicas answered",
                    () -> client.submit(update));
            assertTrue(e.getMessage().contains("replica 0: refused: PERMISSION_DENIED: not a writer; "
                    + "replica 1: refused: NOT_FOUND: no such object; "
                    + "replica 2: UNAVAILABLE: view change in progress"), e.getMessage());
        }
    }

    @Test
    void fRefusalsDoNotOverruleCorrectCommits() throws Exception {
        Behaviour notWriter = refuse(Status.PERMISSION_DENIED.withDescription("not a writer"));
        try (OstoreClient client = ring(notWriter, honest, honest, honest)) {
            assertCommittedTheRingsVersion(client.submit(update));
        }
        stop();
        try (OstoreClient client = ring(honest, notWriter, SILENT, honest)) {
            assertCommittedTheRingsVersion(client.submit(update));
        }
    }

    @Test
    void aSignedRejectionFromFPlusOneIsTheRingsRefusal() throws Exception {
        Behaviour rejects = (id, signed, out) -> {
            ResultLeaf leaf = new ResultLeaf(digest(signed), ResultLeaf.REJECTED, 2, AGUID, 0, ResultLeaf.NO_VGUID,
                    TIMESTAMP);
            send(out, UpdateReply.newBuilder().setOutcome(Outcome.REJECTED)
                    .setResultReply(ByteString.copyFrom(result(id, leaf, EPOCH).encode())).build());
        };
        try (OstoreClient client = ring(rejects, honest, rejects, SILENT)) {
            assertFails(Status.Code.PERMISSION_DENIED,
                    "the ring refused the update when executing it: not a writer (signed by replicas [0, 2])",
                    () -> client.submit(update));
        }
    }

    @Test
    void aReplicaSigningTheRightResultButSendingAnotherVersionIsSkipped() throws Exception {
        // Signs the ring's result, then sends a root whose bytes do not hash to its VGUID field.
        Behaviour twoFaced = (id, signed, out) -> {
            VersionRoot root = rootFor(signed, CONTENT);
            UpdateReply honestReply = committedReply(signed, root, result(id, committedLeaf(signed, root), EPOCH));
            send(out, honestReply.toBuilder().setVersion(honestReply.getVersion().toBuilder().setSize(999)).build());
        };
        try (OstoreClient client = ring(twoFaced, honest, SILENT, SILENT)) {
            assertCommittedTheRingsVersion(client.submit(update));
        }
        stop();
        // Both signers two-faced (more than f faulty): nothing is accepted, and the reason is named.
        try (OstoreClient client = ring(twoFaced, SILENT, twoFaced, SILENT)) {
            assertFails(Status.Code.DATA_LOSS, "replicas [0, 2] signed the result, but no reply's version matches it",
                    () -> client.submit(update));
        }
    }
}
