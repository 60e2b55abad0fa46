package ostore.client;

import static ostore.client.Fixtures.AGUID;
import static ostore.client.Fixtures.OWNER;
import static ostore.client.Fixtures.blocks;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import ostore.api.Protos;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.api.v1.ReadRequest;
import ostore.api.v1.ReadResponse;
import ostore.crypto.Certificate;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.MerkleProof;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultStatement;
import ostore.crypto.SigningKey;
import ostore.crypto.VersionRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A ring client's reads of the latest version never go back: f+1 replies decide an update while
 * up to 2f replicas may still be executing it, so a lagging replica still serves the previous
 * certified version. The replicas here are in-process gRPC servers; replica 0 lags one version.
 */
@Timeout(60)
class RingReadTest {
    private static final long EPOCH = 5;
    private static final List<SigningKey> RING = IntStream.range(0, 4).mapToObj(i -> Fixtures.key(80 + i)).toList();
    private static final List<byte[]> FIRST = blocks(10, 20);
    private static final List<byte[]> SECOND = blocks(30);

    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** The read stream of {@code root} with a certificate signed by replicas 0, 1 and 2. */
    private static List<ReadResponse> certified(VersionRoot root, List<byte[]> content) {
        ResultLeaf leaf = new ResultLeaf(root.updateDigest(), ResultLeaf.COMMITTED, 0, root.aguid(), root.seq(),
                root.vguid().hash(), root.timestampMicros());
        List<Hash32> leaves = List.of(leaf.hash());
        ResultStatement statement = new ResultStatement(EPOCH, 0, root.seq(), MerkleProof.root(leaves));
        List<Certificate.Signature> signatures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            signatures.add(new Certificate.Signature(i, RING.get(i).sign(Domain.RING_MESSAGE, statement.signedBytes(i))));
        }
        byte[] certificate = new Certificate(statement, leaf, MerkleProof.of(leaves, 0), signatures).encode();
        ostore.api.v1.VersionRoot proto = Protos.toProto(root).toBuilder()
                .setCertificate(ByteString.copyFrom(certificate)).build();
        return Fixtures.stream(proto, Fixtures.entries(content), content, 16);
    }

    private OstoreClient ring(List<List<ReadResponse>> latestPerReplica, List<ReadResponse> second)
            throws IOException {
        List<RingSpec.Member> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<ReadResponse> latest = latestPerReplica.get(i);
            String name = InProcessServerBuilder.generateName();
            servers.add(InProcessServerBuilder.forName(name).directExecutor()
                    .addService(new ObjectStoreGrpc.ObjectStoreImplBase() {
                        @Override
                        public void read(ReadRequest request, StreamObserver<ReadResponse> out) {
                            // Asked for seq 2 by number, every replica has it; asked for the latest, each its own.
                            List<ReadResponse> answer = request.getSelector().hasSeq() ? second : latest;
                            answer.forEach(out::onNext);
                            out.onCompleted();
                        }
                    }).build().start());
            channels.add(InProcessChannelBuilder.forName(name).build());
            members.add(new RingSpec.Member(i, "127.0.0.1", 7700 + i, RING.get(i).publicKey()));
        }
        return OstoreClient.forRing(new RingSpec(EPOCH, 1, 1, Map.of(), members), channels, OWNER,
                new RingPolicy(Duration.ofMillis(500), 2));
    }

    @Test
    void aReplicaBehindWhatThisClientSawIsPassedOverForTheLatestVersion() throws IOException {
        VersionRoot first = Fixtures.firstRoot(FIRST);
        VersionRoot second = Fixtures.root(2, Optional.of(first.vguid()), SECOND, 2_000_000);
        List<ReadResponse> old = certified(first, FIRST);
        List<ReadResponse> current = certified(second, SECOND);
        try (OstoreClient client = ring(List.of(old, current, current, current), current)) {
            // Before it has seen seq 2, the lagging replica's certified seq 1 is a fine answer.
            assertEquals(1, client.read(AGUID, Selectors.latest()).root().seq());
            assertEquals(2, client.read(AGUID, Selectors.seq(2)).root().seq());
            // From now on every read of the latest, whichever replica it starts with, returns seq 2.
            for (int i = 0; i < 8; i++) {
                VerifiedVersion v = client.read(AGUID, Selectors.latest());
                assertEquals(2, v.root().seq(), "read " + i);
                assertEquals(Fixtures.concat(SECOND).length, v.data().length);
            }
        }
    }

    @Test
    void whenEveryReplicaIsBehindTheReadFailsAndSaysSo() throws IOException {
        VersionRoot first = Fixtures.firstRoot(FIRST);
        VersionRoot second = Fixtures.root(2, Optional.of(first.vguid()), SECOND, 2_000_000);
        List<ReadResponse> old = certified(first, FIRST);
        try (OstoreClient client = ring(List.of(old, old, old, old), certified(second, SECOND))) {
            assertEquals(2, client.read(AGUID, Selectors.seq(2)).root().seq());
            Fixtures.assertFails(io.grpc.Status.Code.UNAVAILABLE, "this client has seen seq 2",
                    () -> client.read(AGUID, Selectors.latest()));
        }
    }
}
