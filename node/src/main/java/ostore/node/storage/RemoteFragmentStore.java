package ostore.node.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ostore.api.Protos;
import ostore.api.v1.AddIndexRequest;
import ostore.api.v1.FragmentStoreGrpc;
import ostore.api.v1.GetObjectRequest;
import ostore.api.v1.HasObjectsReply;
import ostore.api.v1.HasObjectsRequest;
import ostore.api.v1.IndexReply;
import ostore.api.v1.IndexRequest;
import ostore.api.v1.ListObjectsReply;
import ostore.api.v1.ListObjectsRequest;
import ostore.api.v1.PutObjectRequest;
import ostore.api.v1.UsageReply;
import ostore.api.v1.UsageRequest;
import ostore.archive.store.ArchiveNames;
import ostore.archive.store.CorruptObjectException;
import ostore.archive.store.FragmentStore;
import ostore.crypto.Hash32;

/**
 * One storage node reached over gRPC, as a {@link FragmentStore}: the archive writes to, restores
 * from and scrubs a list of these exactly as it would local stores.
 *
 * <p>The node is trusted with availability only. Every object it returns is hashed again here and
 * refused as corrupt if it does not match its name (except through {@link #getUnverified}, whose
 * callers hash it themselves: the restorer checks every fragment against its manifest's name, and
 * a second hash here would only double the work), and every answer is checked for shape (a
 * listing in order and within the page asked for, one answer per name asked about), so a faulty
 * node can fail a call but cannot make this store hand out wrong data.
 *
 * <p>Statuses map back onto the interface's contract: NOT_FOUND is an empty get, DATA_LOSS and a
 * name mismatch are {@link CorruptObjectException}, a full index key is {@link
 * IllegalStateException}, and anything else — the node down, the deadline passed, a refusal
 * (INVALID_ARGUMENT, RESOURCE_EXHAUSTED, also raised by gRPC here for an oversize reply) — is an
 * {@link IOException} whose message names the node, with the gRPC failure as its cause: one node
 * breaking the contract fails that call, never its caller with an unchecked exception. Every call has a
 * deadline, so a node that hangs costs its caller a bounded wait.
 */
public final class RemoteFragmentStore implements FragmentStore {
    /** Long enough to move the largest object over a slow link, short enough to notice a hung node. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final String target;
    private final Duration deadline;
    private final ManagedChannel channel;
    private final FragmentStoreGrpc.FragmentStoreBlockingStub stub;

    private RemoteFragmentStore(String target, Duration deadline, ManagedChannel channel) {
        this.target = target;
        this.deadline = deadline;
        this.channel = channel;
        this.stub = FragmentStoreGrpc.newBlockingStub(channel);
    }

    /** A store for the node at {@code target} ({@code host:port}) with {@link #DEFAULT_DEADLINE}. */
    public static RemoteFragmentStore connect(String target) {
        return connect(target, DEFAULT_DEADLINE);
    }

    /**
     * A store for the node at {@code target}; each call fails after {@code deadline}. Connecting is
     * lazy: a node that is down fails the first call, not this one.
     */
    public static RemoteFragmentStore connect(String target, Duration deadline) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline (" + deadline + ") must be positive");
        }
        ManagedChannel channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
                .maxInboundMessageSize(StorageService.MAX_MESSAGE_BYTES)
                .build();
        return new RemoteFragmentStore(target, deadline, channel);
    }

    /** The node's address, as given to {@link #connect}. */
    public String target() {
        return target;
    }

    @Override
    public boolean put(Hash32 name, byte[] bytes) throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length > MAX_OBJECT_BYTES) {
            throw new IllegalArgumentException("object of " + bytes.length + " bytes exceeds the maximum of "
                    + MAX_OBJECT_BYTES);
        }
        // The caller keeps its array and the call copies nothing: gRPC serializes before it returns.
        PutObjectRequest request = PutObjectRequest.newBuilder().setName(Protos.toByteString(name))
                .setData(UnsafeByteOperations.unsafeWrap(bytes)).build();
        try {
            return call().put(request).getCreated();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT && description(e).startsWith(StorageService.MISMATCH)) {
                throw new CorruptObjectException(name, "storage node " + target + ": " + description(e));
            }
            throw failure("Put", e);
        }
    }

    @Override
    public Optional<byte[]> get(Hash32 name) throws IOException {
        Optional<byte[]> bytes = getUnverified(name);
        if (bytes.isPresent()) {
            Hash32 actual = ArchiveNames.objectName(bytes.get());
            if (!actual.equals(name)) {
                throw new CorruptObjectException(name, "storage node " + target + " returned " + bytes.get().length
                        + " bytes for " + name.toHex() + " whose name is " + actual.toHex());
            }
        }
        return bytes;
    }

    /**
     * The node's answer as it came, not hashed here: for a caller that checks it against the name
     * itself. The node still checked its own copy (a corrupt one is {@link CorruptObjectException}).
     */
    @Override
    public Optional<byte[]> getUnverified(Hash32 name) throws IOException {
        Objects.requireNonNull(name, "name");
        try {
            return Optional.of(call().get(GetObjectRequest.newBuilder().setName(Protos.toByteString(name)).build())
                    .getData().toByteArray());
        } catch (StatusRuntimeException e) {
            switch (e.getStatus().getCode()) {
                case NOT_FOUND -> {
                    return Optional.empty();
                }
                case DATA_LOSS -> throw new CorruptObjectException(name, "storage node " + target + ": " + description(e));
                default -> throw failure("Get", e);
            }
        }
    }

    @Override
    public boolean has(Hash32 name) throws IOException {
        return hasAll(List.of(name)).getFirst();
    }

    /**
     * Which of {@code names} the node holds, in one call per {@link StorageService#MAX_HAS_NAMES}:
     * element i answers for the i-th name.
     */
    public List<Boolean> hasAll(Collection<Hash32> names) throws IOException {
        List<Hash32> all = List.copyOf(names);
        List<Boolean> held = new ArrayList<>(all.size());
        for (int from = 0; from < all.size(); from += StorageService.MAX_HAS_NAMES) {
            List<Hash32> page = all.subList(from, Math.min(all.size(), from + StorageService.MAX_HAS_NAMES));
            HasObjectsRequest.Builder request = HasObjectsRequest.newBuilder();
            page.forEach(n -> request.addNames(Protos.toByteString(n)));
            HasObjectsReply reply;
            try {
                reply = call().has(request.build());
            } catch (StatusRuntimeException e) {
                throw failure("Has", e);
            }
            if (reply.getHeldCount() != page.size()) {
                throw broken("Has", "answered for " + reply.getHeldCount() + " names, asked about " + page.size());
            }
            held.addAll(reply.getHeldList());
        }
        return held;
    }

    /** Asks for pages of at most {@link StorageService#MAX_LIST_NAMES} until {@code limit} names or the end. */
    @Override
    public List<Hash32> list(Hash32 after, int limit) throws IOException {
        if (limit < 1) {
            throw new IllegalArgumentException("limit (" + limit + ") must be >= 1");
        }
        List<Hash32> out = new ArrayList<>(Math.min(limit, StorageService.MAX_LIST_NAMES));
        Hash32 cursor = after;
        boolean more = true;
        while (more && out.size() < limit) {
            int page = Math.min(limit - out.size(), StorageService.MAX_LIST_NAMES);
            ListObjectsRequest.Builder request = ListObjectsRequest.newBuilder().setLimit(page);
            if (cursor != null) {
                request.setAfter(Protos.toByteString(cursor));
            }
            ListObjectsReply reply;
            try {
                reply = call().list(request.build());
            } catch (StatusRuntimeException e) {
                throw failure("List", e);
            }
            if (reply.getNamesCount() > page || (reply.getMore() && reply.getNamesCount() == 0)) {
                throw broken("List", "answered " + reply.getNamesCount() + " names (more: " + reply.getMore()
                        + ") to a page of " + page);
            }
            for (ByteString b : reply.getNamesList()) {
                Hash32 name = listed(b);
                if (cursor != null && name.compareTo(cursor) <= 0) {
                    throw broken("List", "listed " + name.toHex() + " at or before " + cursor.toHex());
                }
                out.add(name);
                cursor = name;
            }
            more = reply.getMore();
        }
        return out;
    }

    @Override
    public boolean addIndex(Hash32 key, byte[] value) throws IOException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (value.length == 0 || value.length > MAX_INDEX_VALUE_BYTES) {
            throw new IllegalArgumentException("index value of " + value.length + " bytes must be 1.." + MAX_INDEX_VALUE_BYTES);
        }
        try {
            return call().addIndex(AddIndexRequest.newBuilder().setKey(Protos.toByteString(key))
                    .setValue(ByteString.copyFrom(value)).build()).getAdded();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
                throw new IllegalStateException("storage node " + target + ": " + description(e), e);
            }
            throw failure("AddIndex", e);
        }
    }

    @Override
    public List<byte[]> index(Hash32 key) throws IOException {
        Objects.requireNonNull(key, "key");
        IndexReply reply;
        try {
            reply = call().index(IndexRequest.newBuilder().setKey(Protos.toByteString(key)).build());
        } catch (StatusRuntimeException e) {
            throw failure("Index", e);
        }
        if (reply.getValuesCount() > MAX_INDEX_VALUES) {
            throw broken("Index", "answered " + reply.getValuesCount() + " values; a key holds at most " + MAX_INDEX_VALUES);
        }
        List<byte[]> values = new ArrayList<>(reply.getValuesCount());
        for (ByteString v : reply.getValuesList()) {
            if (v.isEmpty() || v.size() > MAX_INDEX_VALUE_BYTES) {
                throw broken("Index", "answered a value of " + v.size() + " bytes; values are 1.." + MAX_INDEX_VALUE_BYTES);
            }
            values.add(v.toByteArray());
        }
        return values;
    }

    @Override
    public Usage usage() throws IOException {
        UsageReply reply;
        try {
            reply = call().usage(UsageRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw failure("Usage", e);
        }
        if (reply.getObjects() < 0 || reply.getBytes() < 0) {
            throw broken("Usage", "answered counts of 2^63 or more");
        }
        return new Usage(reply.getObjects(), reply.getBytes());
    }

    /** Closes the channel; calls in flight get a few seconds to finish. */
    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "storage node " + target;
    }

    private FragmentStoreGrpc.FragmentStoreBlockingStub call() {
        return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    private Hash32 listed(ByteString bytes) throws IOException {
        if (bytes.size() != Hash32.LENGTH) {
            throw broken("List", "listed a name of " + bytes.size() + " bytes");
        }
        return Hash32.of(bytes.toByteArray());
    }

    /**
     * The {@link IOException} to throw for a failed call, naming the node. A refusal of the
     * request's content (INVALID_ARGUMENT, RESOURCE_EXHAUSTED) is one too: this side checks every
     * field before sending, so such a refusal means the node disagrees about the protocol or its
     * policy (an index entry its ring does not certify), and gRPC itself answers RESOURCE_EXHAUSTED
     * on this side for a reply larger than {@link StorageService#MAX_MESSAGE_BYTES}. Either way it
     * is this node's failure for this call, and callers treat it as the node being down, never as
     * a reason to abort a whole restore.
     */
    private IOException failure(String rpc, StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.INVALID_ARGUMENT || code == Status.Code.RESOURCE_EXHAUSTED) {
            return new IOException("storage node " + target + " refused " + rpc + ": " + code + ": " + description(e), e);
        }
        return new IOException("storage node " + target + ": " + rpc + " failed: " + code
                + (description(e).isEmpty() ? "" : ": " + description(e)), e);
    }

    private IOException broken(String rpc, String what) {
        return new IOException("storage node " + target + " broke the protocol: " + rpc + " " + what);
    }

    private static String description(StatusRuntimeException e) {
        return e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription();
    }
}
