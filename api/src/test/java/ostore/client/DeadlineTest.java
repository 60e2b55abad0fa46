package ostore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.HistoryRequest;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.api.v1.ReadRequest;
import ostore.api.v1.ReadResponse;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.UpdateReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Servers that accept every call and never answer it, on loopback: the client must give up on each
 * within its policy's attempt timeout, say so with a status naming whom it asked, and never hang.
 */
@Timeout(60)
class DeadlineTest {
    private static final RingPolicy SHORT = new RingPolicy(Duration.ofMillis(300), 2);

    private final List<Server> servers = new ArrayList<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger updates = new AtomicInteger();
    private final AtomicInteger histories = new AtomicInteger();

    /** Takes calls and keeps them open; the server's shutdown ends them. */
    private final class Silent extends ObjectStoreGrpc.ObjectStoreImplBase {
        @Override
        public void update(SignedUpdate request, StreamObserver<UpdateReply> responses) {
            updates.incrementAndGet();
        }

        @Override
        public void read(ReadRequest request, StreamObserver<ReadResponse> responses) {
            reads.incrementAndGet();
        }

        @Override
        public void history(HistoryRequest request, StreamObserver<HistoryEntry> responses) {
            histories.incrementAndGet();
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private String silentServer() throws IOException {
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new Silent())
                .build().start();
        servers.add(s);
        return "127.0.0.1:" + s.getPort();
    }

    @Test
    void aSilentServerFailsReadsHistoryAndUpdatesWithDeadlineExceeded() throws IOException {
        String target = silentServer();
        try (OstoreClient client = OstoreClient.connect(target, Fixtures.OWNER, SHORT)) {
            OstoreException read = assertThrows(OstoreException.class,
                    () -> client.read(Fixtures.AGUID, Selectors.latest()));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, read.code());
            assertTrue(read.detail().contains("server " + target + " sent nothing for 300 ms"), read.detail());

            OstoreException history = assertThrows(OstoreException.class, () -> client.history(Fixtures.AGUID, 0, 0));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, history.code());

            OstoreException put = assertThrows(OstoreException.class, () -> client.put("notes.txt", new byte[] {1}));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, put.code());
            assertTrue(put.detail().contains("did not answer the update in 2 attempts of 300 ms"), put.detail());
        }
        // Upper bounds only: on a loaded machine a call can time out before it reached the server.
        assertTrue(reads.get() <= 1, "a read is not retried against a single server: " + reads.get());
        assertTrue(histories.get() <= 1, "history is not retried against a single server: " + histories.get());
        assertTrue(updates.get() <= 2, "an update is sent at most attempts times: " + updates.get());
    }

    @Test
    void aRingOfSilentReplicasFailsReadsAndHistoryNamingEveryReplicaTried() throws IOException {
        List<RingSpec.Member> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String target = silentServer();
            int port = Integer.parseInt(target.substring(target.indexOf(':') + 1));
            members.add(new RingSpec.Member(i, "127.0.0.1", port, Fixtures.key(10 + i).publicKey()));
        }
        RingSpec ring = new RingSpec(0, 1, 1, Map.of(), members);
        RingPolicy oneRound = new RingPolicy(Duration.ofMillis(300), 1);
        try (OstoreClient client = OstoreClient.connectRing(ring, Fixtures.OWNER, oneRound)) {
            OstoreException read = assertThrows(OstoreException.class,
                    () -> client.read(Fixtures.AGUID, Selectors.latest()));
            assertEquals(Status.Code.UNAVAILABLE, read.code());
            OstoreException history = assertThrows(OstoreException.class, () -> client.history(Fixtures.AGUID, 0, 0));
            assertEquals(Status.Code.UNAVAILABLE, history.code());
            for (RingSpec.Member m : members) {
                String named = "replica " + m.id() + " (" + m.target() + "): DEADLINE_EXCEEDED";
                assertTrue(read.detail().contains(named), read.detail());
                assertTrue(history.detail().contains(named), history.detail());
            }
        }
        assertTrue(reads.get() <= 4, "each replica asked at most once in the one round: " + reads.get());
        assertTrue(histories.get() <= 4, "each replica asked at most once: " + histories.get());
    }
}
