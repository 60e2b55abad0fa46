package ostore.client;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import ostore.api.Protos;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.HistoryRequest;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.api.v1.ReadRequest;
import ostore.api.v1.ReadResponse;
import ostore.api.v1.SignedUpdate;
import ostore.api.v1.Update;
import ostore.api.v1.VersionSelector;
import ostore.api.v1.WatchRequest;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;

/**
 * A client of one ostore server, writing as one key. Every answer is verified before it is
 * returned (see {@link UpdateReplyVerifier}, {@link ReadVerifier}, {@link WatchVerifier}); every
 * failure is an {@link OstoreException}. Thread-safe: calls share the channel.
 */
public final class OstoreClient implements AutoCloseable {
    /** Inbound message limit of channels made by {@link #connect}: above any block plus framing. */
    public static final int MAX_INBOUND_MESSAGE_BYTES = 64 << 20;
    // The largest array a JVM reliably allocates; bigger versions must be read with readTo.
    private static final long MAX_IN_MEMORY_BYTES = Integer.MAX_VALUE - 8;
    private static final long CLOSE_GRACE_SECONDS = 5;

    private final ManagedChannel channel;
    private final boolean ownsChannel;
    private final SigningKey key;
    private final ObjectStoreGrpc.ObjectStoreBlockingStub stub;

    /** Uses {@code channel} without owning it: {@link #close()} leaves it open. */
    public OstoreClient(ManagedChannel channel, SigningKey key) {
        this(channel, key, false);
    }

    private OstoreClient(ManagedChannel channel, SigningKey key, boolean ownsChannel) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.key = Objects.requireNonNull(key, "key");
        this.ownsChannel = ownsChannel;
        this.stub = ObjectStoreGrpc.newBlockingStub(channel);
    }

    /**
     * Opens a plaintext channel to {@code target} ({@code "host:port"}), owned by the client.
     * Plaintext is acceptable because nothing read is trusted unverified and updates are signed;
     * it does expose contents of unencrypted objects to the network.
     */
    public static OstoreClient connect(String target, SigningKey key) {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("target (" + target + ") must be host:port");
        }
        Objects.requireNonNull(key, "key");
        ManagedChannel channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .build();
        return new OstoreClient(channel, key, true);
    }

    public SigningKey key() {
        return key;
    }

    /** The AGUID of the object this client's key calls {@code name}. */
    public Aguid aguidOf(String name) {
        return Aguid.of(key.publicKey(), name);
    }

    /** Signs and sends {@code update}; an abort is a result, not an exception. */
    public UpdateResult submit(Update update) {
        Objects.requireNonNull(update, "update");
        SignedUpdate signed = SignedUpdates.sign(update, key);
        UpdateReplyVerifier verifier = new UpdateReplyVerifier(update, signed);
        try {
            return verifier.verify(stub.update(signed));
        } catch (StatusRuntimeException e) {
            throw OstoreException.fromGrpc(e);
        }
    }

    /**
     * Makes {@code content} the newest version of this key's object {@code name}, creating the
     * object if needed, in one atomic update (truncate to 0, then append). The server cuts content
     * into blocks; blocks equal to the previous version's keep their BGUIDs and are stored once.
     */
    public UpdateResult put(String name, byte[] content) {
        Objects.requireNonNull(content, "content");
        Update update = Updates.forObject(aguidOf(name))
                .create(key.publicKey(), name)
                // One clause serves both cases: a missing object has size 0, so truncating to 0 is
                // valid on it too, and the content travels (and is signed and logged) once.
                .when(Predicates.always()).then(Actions.truncate(0), Actions.append(content))
                .build();
        return submit(update);
    }

    /** Reads and verifies a whole version into memory; versions over 2 GiB need {@link #readTo}. */
    public VerifiedVersion read(Aguid aguid, VersionSelector selector) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            return runRead(aguid, selector, false, buffer, MAX_IN_MEMORY_BYTES).withData(buffer.toByteArray());
        } catch (IOException e) {
            throw new AssertionError("a ByteArrayOutputStream does not throw", e);
        }
    }

    /**
     * Streams a version to {@code out}, each block written only after it verified, holding one
     * block at a time. If verification fails, {@code out} has received a verified prefix of whole
     * blocks and the exception says where it stopped.
     */
    public VerifiedVersion readTo(Aguid aguid, VersionSelector selector, OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        return runRead(aguid, selector, false, out, Long.MAX_VALUE);
    }

    /** The version's verified root and block list, without its data. */
    public VerifiedVersion stat(Aguid aguid, VersionSelector selector) {
        try {
            return runRead(aguid, selector, true, OutputStream.nullOutputStream(), Long.MAX_VALUE);
        } catch (IOException e) {
            throw new AssertionError("the null output stream does not throw", e);
        }
    }

    private VerifiedVersion runRead(Aguid aguid, VersionSelector selector, boolean metadataOnly,
            OutputStream out, long maxSize) throws IOException {
        Objects.requireNonNull(aguid, "aguid");
        Objects.requireNonNull(selector, "selector");
        ReadVerifier verifier = new ReadVerifier(aguid, selector, metadataOnly);
        ReadRequest request = ReadRequest.newBuilder()
                .setAguid(Protos.toByteString(aguid))
                .setSelector(selector)
                .setMetadataOnly(metadataOnly)
                .build();
        try (GrpcStream<ReadResponse, ReadResponse> stream = new GrpcStream<>(() -> stub.read(request), Function.identity())) {
            while (stream.hasNext()) {
                verifier.accept(stream.next(), out);
                if (verifier.root().isPresent() && verifier.root().get().size() > maxSize) {
                    throw new OstoreException(Status.Code.OUT_OF_RANGE, "version of " + aguid + " has "
                            + verifier.root().get().size() + " bytes, more than read() holds (" + maxSize
                            + "); use readTo");
                }
            }
        }
        return verifier.finish();
    }

    /**
     * Entries {@code fromIndex, fromIndex + 1, ...} of the object's history, at most {@code limit}
     * of them (0: no limit). The server must send them consecutively from {@code fromIndex}.
     */
    public List<HistoryEntry> history(Aguid aguid, long fromIndex, long limit) {
        Objects.requireNonNull(aguid, "aguid");
        Predicates.checkNonNegative(fromIndex, "fromIndex");
        Predicates.checkNonNegative(limit, "limit");
        HistoryRequest request = HistoryRequest.newBuilder()
                .setAguid(Protos.toByteString(aguid)).setFromIndex(fromIndex).setLimit(limit).build();
        List<HistoryEntry> entries = new ArrayList<>();
        try (GrpcStream<HistoryEntry, HistoryEntry> stream = new GrpcStream<>(() -> stub.history(request), Function.identity())) {
            while (stream.hasNext()) {
                HistoryEntry entry = stream.next();
                long expected = fromIndex + entries.size();
                if (entry.getIndex() != expected) {
                    throw OstoreException.dataLoss("history sent entry " + Long.toUnsignedString(entry.getIndex())
                            + ", expected entry " + expected);
                }
                if (limit != 0 && entries.size() == limit) {
                    throw OstoreException.dataLoss("history sent more than the " + limit + " entries asked for");
                }
                entries.add(entry);
            }
        }
        return entries;
    }

    /**
     * Verified versions of the object from {@code fromSeq} (0 or 1: from the first) on: those
     * present first, then new ones as they commit. Blocks in {@link CloseableIterator#hasNext}
     * until the next version arrives; close it to stop watching.
     */
    public CloseableIterator<VerifiedRoot> watch(Aguid aguid, long fromSeq) {
        Objects.requireNonNull(aguid, "aguid");
        WatchVerifier verifier = new WatchVerifier(aguid, fromSeq);
        WatchRequest request = WatchRequest.newBuilder()
                .setAguid(Protos.toByteString(aguid)).setFromSeq(fromSeq).build();
        return new GrpcStream<>(() -> stub.watch(request), verifier::accept);
    }

    /** Closes the channel if {@link #connect} opened it; a channel passed in is left open. */
    @Override
    public void close() {
        if (!ownsChannel) {
            return;
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
