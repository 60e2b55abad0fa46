package ostore.node.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.api.Protos;
import ostore.api.v1.AddIndexReply;
import ostore.api.v1.AddIndexRequest;
import ostore.api.v1.FragmentStoreGrpc;
import ostore.api.v1.GetObjectReply;
import ostore.api.v1.GetObjectRequest;
import ostore.api.v1.HasObjectsReply;
import ostore.api.v1.HasObjectsRequest;
import ostore.api.v1.IndexReply;
import ostore.api.v1.IndexRequest;
import ostore.api.v1.ListObjectsReply;
import ostore.api.v1.ListObjectsRequest;
import ostore.api.v1.PutObjectReply;
import ostore.api.v1.PutObjectRequest;
import ostore.api.v1.UsageReply;
import ostore.api.v1.UsageRequest;
import ostore.archive.store.CorruptObjectException;
import ostore.archive.store.FragmentStore;
import ostore.crypto.Hash32;

/**
 * {@code ostore.v1.FragmentStore} over any {@link FragmentStore}: the wire edge of a storage node.
 *
 * <p>Every request is checked here, field by field, before the store sees it, so a refusal names
 * the field and limit and changes nothing; the store's own checks (the name against the bytes,
 * the index bounds) are then mapped to the same statuses. What the store reports as corrupt on
 * disk becomes {@code DATA_LOSS}, so a client tells "this node lost the object" from "this node
 * never had it" ({@code NOT_FOUND}) and from "this node is down".
 *
 * <p>Given the ring's keys ({@link IndexEntryCheck}), AddIndex accepts only archive index entries
 * certified for the key's version, so the index of a version cannot be filled before it commits.
 * Put and AddIndex are otherwise unauthenticated at the transport (mutual TLS is future work):
 * anyone who reaches the port can store well-named objects, i.e. fill the disk.
 */
public final class StorageService extends FragmentStoreGrpc.FragmentStoreImplBase {
    private static final Logger LOG = Logger.getLogger(StorageService.class.getName());

    /** The most names one {@code Has} call asks about (2 MiB of names). */
    public static final int MAX_HAS_NAMES = 65_536;
    /** The most names one {@code List} page returns. */
    public static final int MAX_LIST_NAMES = 4096;
    /**
     * The largest gRPC message either side accepts: the largest object plus room for its name and
     * framing, so a slightly oversize put still reaches the service and is refused naming the limit.
     */
    public static final int MAX_MESSAGE_BYTES = FragmentStore.MAX_OBJECT_BYTES + 4096;
    /** The message start that tells a client its bytes do not hash to the name it sent. */
    public static final String MISMATCH = "object bytes do not match name ";

    private final FragmentStore store;
    private final IndexEntryCheck indexCheck;
    private final Consumer<Hash32> newObjects;

    /** A service that adds any well-sized index value (no ring known). */
    public StorageService(FragmentStore store) {
        this(store, null, name -> {});
    }

    /**
     * A service that adds only index values that {@code indexCheck} accepts: archive index entries
     * certified for the key's version ({@code INVALID_ARGUMENT} naming why otherwise).
     */
    public StorageService(FragmentStore store, IndexEntryCheck indexCheck) {
        this(store, Objects.requireNonNull(indexCheck, "indexCheck"), name -> {});
    }

    /**
     * As above ({@code indexCheck} null: no ring known), and told the name of every object a put
     * made new here, after it is durable (the storage node's routing layer learns of it this way).
     */
    StorageService(FragmentStore store, IndexEntryCheck indexCheck, Consumer<Hash32> newObjects) {
        this.store = Objects.requireNonNull(store, "store");
        this.indexCheck = indexCheck;
        this.newObjects = Objects.requireNonNull(newObjects, "newObjects");
    }

    @Override
    public void put(PutObjectRequest request, StreamObserver<PutObjectReply> reply) {
        answer("Put", reply, () -> {
            Hash32 name = name(request.getName(), "PutObjectRequest.name");
            int size = request.getData().size();
            if (size > FragmentStore.MAX_OBJECT_BYTES) {
                throw status(Status.Code.RESOURCE_EXHAUSTED, "PutObjectRequest.data (" + size
                        + " bytes) exceeds the maximum object size of " + FragmentStore.MAX_OBJECT_BYTES + " bytes");
            }
            try {
                boolean created = store.put(name, request.getData().toByteArray());
                if (created) {
                    newObjects.accept(name);
                }
                return PutObjectReply.newBuilder().setCreated(created).build();
            } catch (CorruptObjectException e) {
                throw status(Status.Code.INVALID_ARGUMENT, MISMATCH + name.toHex());
            }
        });
    }

    @Override
    public void get(GetObjectRequest request, StreamObserver<GetObjectReply> reply) {
        answer("Get", reply, () -> {
            Hash32 name = name(request.getName(), "GetObjectRequest.name");
            byte[] bytes;
            try {
                bytes = store.get(name).orElseThrow(() -> status(Status.Code.NOT_FOUND,
                        "object " + name.toHex() + " is not held by this storage node"));
            } catch (CorruptObjectException e) {
                LOG.warning(() -> "object " + name.toHex() + " is corrupt: " + e.getMessage());
                throw status(Status.Code.DATA_LOSS, "object " + name.toHex()
                        + " is corrupt on this storage node and was set aside (" + e.getMessage() + ")");
            }
            // The store hands out a fresh array, never written again: no need to copy 64 MiB.
            return GetObjectReply.newBuilder().setData(UnsafeByteOperations.unsafeWrap(bytes)).build();
        });
    }

    @Override
    public void has(HasObjectsRequest request, StreamObserver<HasObjectsReply> reply) {
        answer("Has", reply, () -> {
            int count = request.getNamesCount();
            if (count > MAX_HAS_NAMES) {
                throw status(Status.Code.RESOURCE_EXHAUSTED, "HasObjectsRequest.names has " + count
                        + " names; the maximum is " + MAX_HAS_NAMES);
            }
            List<Hash32> names = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                names.add(name(request.getNames(i), "HasObjectsRequest.names[" + i + "]"));
            }
            HasObjectsReply.Builder b = HasObjectsReply.newBuilder();
            for (Hash32 name : names) {
                b.addHeld(store.has(name));
            }
            return b.build();
        });
    }

    @Override
    public void list(ListObjectsRequest request, StreamObserver<ListObjectsReply> reply) {
        answer("List", reply, () -> {
            Hash32 after = request.getAfter().isEmpty() ? null : name(request.getAfter(), "ListObjectsRequest.after");
            int limit = request.getLimit() == 0 ? MAX_LIST_NAMES : request.getLimit();
            if (limit < 0 || limit > MAX_LIST_NAMES) {
                throw status(Status.Code.INVALID_ARGUMENT, "ListObjectsRequest.limit (" + Integer.toUnsignedString(limit)
                        + ") must be at most " + MAX_LIST_NAMES);
            }
            // One more than asked tells whether another page exists without a second call.
            List<Hash32> names = store.list(after, limit + 1);
            ListObjectsReply.Builder b = ListObjectsReply.newBuilder().setMore(names.size() > limit);
            for (Hash32 name : names.subList(0, Math.min(limit, names.size()))) {
                b.addNames(Protos.toByteString(name));
            }
            return b.build();
        });
    }

    @Override
    public void addIndex(AddIndexRequest request, StreamObserver<AddIndexReply> reply) {
        answer("AddIndex", reply, () -> {
            Hash32 key = name(request.getKey(), "AddIndexRequest.key");
            int size = request.getValue().size();
            if (size == 0) {
                throw status(Status.Code.INVALID_ARGUMENT, "AddIndexRequest.value is empty; it must be 1.."
                        + FragmentStore.MAX_INDEX_VALUE_BYTES + " bytes");
            }
            if (size > FragmentStore.MAX_INDEX_VALUE_BYTES) {
                throw status(Status.Code.RESOURCE_EXHAUSTED, "AddIndexRequest.value (" + size
                        + " bytes) exceeds the maximum index value size of " + FragmentStore.MAX_INDEX_VALUE_BYTES + " bytes");
            }
            byte[] value = request.getValue().toByteArray();
            if (indexCheck != null) {
                String refusal = indexCheck.refusal(key, value);
                if (refusal != null) {
                    throw status(Status.Code.INVALID_ARGUMENT, refusal);
                }
            }
            try {
                return AddIndexReply.newBuilder().setAdded(store.addIndex(key, value)).build();
            } catch (IllegalStateException e) {
                throw status(Status.Code.FAILED_PRECONDITION, "index key " + key.toHex() + " already holds the maximum of "
                        + FragmentStore.MAX_INDEX_VALUES + " values; nothing was added");
            }
        });
    }

    @Override
    public void index(IndexRequest request, StreamObserver<IndexReply> reply) {
        answer("Index", reply, () -> {
            Hash32 key = name(request.getKey(), "IndexRequest.key");
            IndexReply.Builder b = IndexReply.newBuilder();
            for (byte[] value : store.index(key)) {
                b.addValues(ByteString.copyFrom(value));
            }
            return b.build();
        });
    }

    @Override
    public void usage(UsageRequest request, StreamObserver<UsageReply> reply) {
        answer("Usage", reply, () -> {
            FragmentStore.Usage u = store.usage();
            return UsageReply.newBuilder().setObjects(u.objects()).setBytes(u.bytes()).build();
        });
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code call} and sends its reply or its status. A failure not mapped to a status by the
     * call itself is the node's (a disk error, a bug): INTERNAL with its message, logged here with
     * its stack trace.
     */
    private static <T> void answer(String rpc, StreamObserver<T> reply, Call<T> call) {
        T result;
        try {
            result = call.run();
        } catch (StatusRuntimeException e) {
            reply.onError(e);
            return;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, rpc + " failed", e);
            reply.onError(status(Status.Code.INTERNAL, rpc + " failed on the storage node ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")"));
            return;
        }
        reply.onNext(result);
        reply.onCompleted();
    }

    private static Hash32 name(ByteString bytes, String field) {
        try {
            return Protos.hash32(bytes, field);
        } catch (IllegalArgumentException e) {
            throw status(Status.Code.INVALID_ARGUMENT, e.getMessage());
        }
    }

    private static StatusRuntimeException status(Status.Code code, String message) {
        return code.toStatus().withDescription(message).asRuntimeException();
    }
}
