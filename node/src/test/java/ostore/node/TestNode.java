package ostore.node;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.client.OstoreClient;
import ostore.crypto.SigningKey;
import ostore.store.Limits;

/**
 * A real node on 127.0.0.1 with an ephemeral port over a test's temporary directory, plus a raw
 * channel for requests the SDK would never send. Limits are small so that limit tests send
 * megabytes, not the default 32 MiB.
 */
public final class TestNode implements AutoCloseable {
    public static final int MAX_BLOCK_BYTES = 64 * 1024;
    public static final int MAX_UPDATE_BYTES = 8 << 20;
    public static final int MAX_CLAUSES = 8;
    public static final Limits LIMITS = new Limits(MAX_BLOCK_BYTES, MAX_UPDATE_BYTES, MAX_CLAUSES, 1024, 256, 1L << 24);

    private static final SecureRandom RANDOM = new SecureRandom();

    public final Node node;
    public final ManagedChannel channel;
    public final ObjectStoreGrpc.ObjectStoreBlockingStub stub;

    private TestNode(Node node) {
        this.node = node;
        this.channel = Grpc.newChannelBuilder(node.address(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(OstoreClient.MAX_INBOUND_MESSAGE_BYTES)
                .build();
        this.stub = ObjectStoreGrpc.newBlockingStub(channel);
    }

    public static TestNode start(Path dataDir) throws IOException {
        return new TestNode(Node.start(NodeConfig.defaults(dataDir, 0).withLimits(LIMITS)));
    }

    public static SigningKey newKey() {
        return SigningKey.generate(RANDOM);
    }

    /** A client over this node's shared channel; closing it leaves the channel open. */
    public OstoreClient client(SigningKey key) {
        return new OstoreClient(channel, key);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        node.close();
    }
}
