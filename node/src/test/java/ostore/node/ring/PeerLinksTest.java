package ostore.node.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import ostore.api.v1.RingFrameAck;
import ostore.api.v1.RingFrames;
import ostore.api.v1.RingTransportGrpc;
import ostore.client.RingSpec;
import ostore.crypto.SigningKey;
import ostore.ring.bft.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sending side of the ring transport against a peer that only records what its stream
 * receives: frames arrive whole and in order, wait for a peer that is not up yet (then flow once it
 * is), and past the per-peer budget the oldest are dropped rather than memory growing; bulk frames
 * go after the frames agreement waits on, and are dropped first.
 */
@Timeout(60)
class PeerLinksTest {
    private static final long DELIVERY_SECONDS = 20;

    private final List<byte[]> received = new CopyOnWriteArrayList<>();
    private final List<Integer> messageSizes = new CopyOnWriteArrayList<>();
    private Server peer;
    private PeerLinks links;

    @AfterEach
    void stop() throws InterruptedException {
        if (links != null) {
            links.close();
        }
        if (peer != null) {
            peer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void framesArriveWholeAndInOrder() throws Exception {
        int port = startPeer(0);
        links = new PeerLinks(ring(port), 0);
        List<byte[]> sent = frames(500, 700);
        sent.forEach(f -> links.send(1, f));
        awaitReceived(sent.size());
        assertFramesEqual(sent, received);
        assertEquals(sent.size(), messageSizes.stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void framesWaitForAPeerThatIsNotUpYet() throws Exception {
        int port = freePort();
        links = new PeerLinks(ring(port), 0);
        List<byte[]> sent = frames(20, 100);
        sent.forEach(f -> links.send(1, f));
        // The first stream fails (nothing listens); the frames wait and go once the peer is up.
        Thread.sleep(300);
        startPeer(port);
        awaitReceived(sent.size());
        assertFramesEqual(sent, received);
        assertEquals(0, links.dropped());
    }

    @Test
    void pastTheBudgetTheOldestFramesAreDropped() throws Exception {
        int port = freePort();
        links = new PeerLinks(ring(port), 0, 10 * 1_000);
        List<byte[]> sent = frames(30, 1_000);
        sent.forEach(f -> links.send(1, f));
        assertEquals(20, links.dropped(), "30 frames of 1,000 bytes into a 10,000-byte budget");
        startPeer(port);
        awaitReceived(10);
        assertFramesEqual(sent.subList(20, 30), received);
    }

    @Test
    void bulkFramesWaitBehindAgreementAndAreDroppedFirst() throws Exception {
        int port = freePort();
        links = new PeerLinks(ring(port), 0, 10 * 1_000);
        List<byte[]> pages = typed(frames(8, 1_000), Message.STATE);
        List<byte[]> votes = typed(frames(4, 1_000), Message.COMMIT);
        for (int i = 0; i < 4; i++) {
            links.send(1, pages.get(2 * i));
            links.send(1, pages.get(2 * i + 1));
            links.send(1, votes.get(i));
        }
        // 12,000 bytes into a 10,000-byte budget: the two oldest pages go, every vote stays.
        assertEquals(2, links.dropped());
        startPeer(port);
        awaitReceived(10);
        List<byte[]> expected = new ArrayList<>(votes);
        expected.addAll(pages.subList(2, 8));
        assertFramesEqual(expected, received);
    }

    @Test
    void bulkFramesTakeTurnsWithAgreementSoABusyLinkStillCarriesThem() throws Exception {
        int port = freePort();
        links = new PeerLinks(ring(port), 0);
        List<byte[]> pages = typed(frames(2, 700_000), Message.SNAPSHOT);
        List<byte[]> votes = typed(frames(1_500, 1_000), Message.PREPARE);
        pages.forEach(f -> links.send(1, f));
        votes.forEach(f -> links.send(1, f));
        startPeer(port);
        awaitReceived(pages.size() + votes.size());
        int firstPage = -1;
        for (int i = 0; i < received.size() && firstPage < 0; i++) {
            if (ByteBuffer.wrap(received.get(i)).equals(ByteBuffer.wrap(pages.get(0)))) {
                firstPage = i;
            }
        }
        // One message of votes (1 MiB holds 1,048), then one led by the page.
        assertEquals(1_048, firstPage, "the first page went in the second message, not after every vote");
    }

    /** The frames with their type byte set to {@code type} (the transport reads nothing else). */
    private static List<byte[]> typed(List<byte[]> frames, int type) {
        frames.forEach(f -> f[1] = (byte) type);
        return frames;
    }

    private int startPeer(int port) throws IOException {
        peer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new RingTransportGrpc.RingTransportImplBase() {
                    @Override
                    public StreamObserver<RingFrames> stream(StreamObserver<RingFrameAck> responses) {
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(RingFrames frames) {
                                messageSizes.add(frames.getFramesCount());
                                frames.getFramesList().forEach(f -> received.add(f.toByteArray()));
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {
                                responses.onNext(RingFrameAck.getDefaultInstance());
                                responses.onCompleted();
                            }
                        };
                    }
                })
                .build()
                .start();
        return peer.getPort();
    }

    private void awaitReceived(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DELIVERY_SECONDS);
        while (received.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(n, received.size(), "frames delivered within " + DELIVERY_SECONDS + " s");
    }

    private static void assertFramesEqual(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(ByteBuffer.wrap(expected.get(i)), ByteBuffer.wrap(actual.get(i)), "frame " + i);
        }
    }

    /** {@code n} distinct frames of {@code bytes} bytes each (the transport does not look inside). */
    private static List<byte[]> frames(int n, int bytes) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] f = new byte[bytes];
            ByteBuffer.wrap(f).putInt(i);
            out.add(f);
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Replica 0 (this side) and replica 1 at {@code port}; 2 and 3 exist only on paper. */
    private static RingSpec ring(int port) {
        SecureRandom random = new SecureRandom();
        List<RingSpec.Member> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            members.add(new RingSpec.Member(i, "127.0.0.1", i == 1 ? port : 1 + i,
                    SigningKey.generate(random).publicKey()));
        }
        return new RingSpec(0, 1, 1, RingConfigs.params(ostore.ring.bft.RingConfig.Params.DEFAULT), members);
    }
}
