package ostore.node.storage;

import static ostore.node.storage.FragmentStoreContract.bytes;
import static ostore.node.storage.FragmentStoreContract.key;
import static ostore.node.storage.FragmentStoreContract.nameOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import ostore.api.Protos;
import ostore.api.v1.AddIndexRequest;
import ostore.api.v1.FragmentStoreGrpc;
import ostore.api.v1.GetObjectRequest;
import ostore.api.v1.HasObjectsRequest;
import ostore.api.v1.IndexRequest;
import ostore.api.v1.ListObjectsReply;
import ostore.api.v1.ListObjectsRequest;
import ostore.api.v1.PutObjectRequest;
import ostore.api.v1.UsageReply;
import ostore.api.v1.UsageRequest;
import ostore.archive.store.FragmentStore;
import ostore.crypto.Hash32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ostore.v1.FragmentStore} service on a real storage node (files on disk, a loopback
 * port), spoken to with the raw generated stub: each bad request gets its exact status and
 * message, and afterwards the node holds exactly what it held before.
 */
@Timeout(120)
class StorageServiceTest {
    @TempDir
    Path dir;

    private StorageNode node;
    private ManagedChannel channel;
    private FragmentStoreGrpc.FragmentStoreBlockingStub stub;

    @BeforeEach
    void start() throws IOException {
        node = StorageNode.start(dir.resolve("node"), "127.0.0.1", 0);
        channel = Grpc.newChannelBuilder(node.address(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(StorageService.MAX_MESSAGE_BYTES).build();
        stub = FragmentStoreGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        node.close();
    }

    private FragmentStoreGrpc.FragmentStoreBlockingStub call() {
        return stub.withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static ByteString bs(byte[] b) {
        return ByteString.copyFrom(b);
    }

    private boolean put(byte[] data) {
        return call().put(PutObjectRequest.newBuilder().setName(Protos.toByteString(nameOf(data))).setData(bs(data)).build())
                .getCreated();
    }

    /** Everything the node holds, as the service reports it. */
    private record Held(UsageReply usage, List<ByteString> names, List<ByteString> index) {}

    private Held held() {
        return new Held(call().usage(UsageRequest.getDefaultInstance()),
                call().list(ListObjectsRequest.getDefaultInstance()).getNamesList(),
                call().index(IndexRequest.newBuilder().setKey(Protos.toByteString(key(1))).build()).getValuesList());
    }

    /** Runs a refused call and checks its status and message, and that nothing changed. */
    private void refused(Status.Code code, String message, Supplier<?> rpc) {
        Held before = held();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, rpc::get);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertEquals(message, e.getStatus().getDescription());
        assertEquals(before, held());
    }

    @Test
    void putGetHasListIndexAndUsageRoundTrip() {
        byte[] a = bytes("fragment a");
        byte[] b = bytes("fragment b");
        assertTrue(put(a));
        assertFalse(put(a));
        assertTrue(put(b));
        assertArrayEquals(a, call().get(GetObjectRequest.newBuilder().setName(Protos.toByteString(nameOf(a))).build())
                .getData().toByteArray());
        assertEquals(List.of(true, false, true), call().has(HasObjectsRequest.newBuilder()
                .addNames(Protos.toByteString(nameOf(a))).addNames(Protos.toByteString(nameOf(bytes("c"))))
                .addNames(Protos.toByteString(nameOf(b))).build()).getHeldList());
        List<Hash32> sorted = new ArrayList<>(List.of(nameOf(a), nameOf(b)));
        Collections.sort(sorted);

        ListObjectsReply first = call().list(ListObjectsRequest.newBuilder().setLimit(1).build());
        assertEquals(List.of(Protos.toByteString(sorted.get(0))), first.getNamesList());
        assertTrue(first.getMore());
        ListObjectsReply second = call().list(ListObjectsRequest.newBuilder().setLimit(1)
                .setAfter(first.getNames(0)).build());
        assertEquals(List.of(Protos.toByteString(sorted.get(1))), second.getNamesList());
        assertFalse(second.getMore());

        AddIndexRequest add = AddIndexRequest.newBuilder().setKey(Protos.toByteString(key(1))).setValue(bs(bytes("m"))).build();
        assertTrue(call().addIndex(add).getAdded());
        assertFalse(call().addIndex(add).getAdded());
        assertEquals(List.of(bs(bytes("m"))), held().index());
        assertEquals(UsageReply.newBuilder().setObjects(2).setBytes(a.length + b.length).build(), held().usage());
    }

    @Test
    void malformedNamesAreInvalidArgumentsNamingTheField() {
        put(bytes("already here"));
        ByteString shortName = ByteString.copyFrom(new byte[31]);
        refused(Status.Code.INVALID_ARGUMENT, "PutObjectRequest.name length (31) must be 32",
                () -> call().put(PutObjectRequest.newBuilder().setName(shortName).setData(bs(bytes("x"))).build()));
        refused(Status.Code.INVALID_ARGUMENT, "GetObjectRequest.name length (0) must be 32",
                () -> call().get(GetObjectRequest.getDefaultInstance()));
        refused(Status.Code.INVALID_ARGUMENT, "HasObjectsRequest.names[1] length (33) must be 32",
                () -> call().has(HasObjectsRequest.newBuilder().addNames(Protos.toByteString(nameOf(bytes("x"))))
                        .addNames(ByteString.copyFrom(new byte[33])).build()));
        refused(Status.Code.INVALID_ARGUMENT, "ListObjectsRequest.after length (31) must be 32",
                () -> call().list(ListObjectsRequest.newBuilder().setAfter(shortName).build()));
        refused(Status.Code.INVALID_ARGUMENT, "AddIndexRequest.key length (31) must be 32",
                () -> call().addIndex(AddIndexRequest.newBuilder().setKey(shortName).setValue(bs(bytes("v"))).build()));
        refused(Status.Code.INVALID_ARGUMENT, "IndexRequest.key length (0) must be 32",
                () -> call().index(IndexRequest.getDefaultInstance()));
    }

    @Test
    void bytesThatDoNotMatchTheNameAreRefusedNamingIt() {
        Hash32 claimed = nameOf(bytes("the real fragment"));
        refused(Status.Code.INVALID_ARGUMENT, "object bytes do not match name " + claimed.toHex(),
                () -> call().put(PutObjectRequest.newBuilder().setName(Protos.toByteString(claimed))
                        .setData(bs(bytes("a substitute"))).build()));
    }

    @Test
    void anObjectOverTheLimitIsRefusedWithTheLimit() {
        byte[] big = new byte[FragmentStore.MAX_OBJECT_BYTES + 1];
        refused(Status.Code.RESOURCE_EXHAUSTED, "PutObjectRequest.data (67108865 bytes) exceeds the maximum object size of "
                + "67108864 bytes", () -> call().put(PutObjectRequest.newBuilder().setName(Protos.toByteString(nameOf(big)))
                        .setData(ByteString.copyFrom(big)).build()));
        // Far over the limit, the transport refuses the message before the service sees it.
        byte[] huge = new byte[FragmentStore.MAX_OBJECT_BYTES + (1 << 20)];
        Held before = held();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call().put(PutObjectRequest.newBuilder()
                .setName(Protos.toByteString(nameOf(huge))).setData(ByteString.copyFrom(huge)).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.toString());
        assertEquals(before, held());
    }

    @Test
    void theLargestObjectIsAccepted() {
        byte[] largest = new byte[FragmentStore.MAX_OBJECT_BYTES];
        largest[largest.length - 1] = 1;
        assertTrue(put(largest));
        assertArrayEquals(largest, call().get(GetObjectRequest.newBuilder().setName(Protos.toByteString(nameOf(largest)))
                .build()).getData().toByteArray());
    }

    @Test
    void anObjectNotHeldIsNotFoundNamingIt() {
        Hash32 name = nameOf(bytes("never put"));
        refused(Status.Code.NOT_FOUND, "object " + name.toHex() + " is not held by this storage node",
                () -> call().get(GetObjectRequest.newBuilder().setName(Protos.toByteString(name)).build()));
    }

    @Test
    void aCorruptFileIsDataLossAndTheObjectIsNoLongerHeld() {
        byte[] data = bytes("bit rot ahead");
        Hash32 name = nameOf(data);
        put(data);
        Disk.overwrite(node.dataDir(), name, bytes("bit rot here"));
        GetObjectRequest get = GetObjectRequest.newBuilder().setName(Protos.toByteString(name)).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call().get(get));
        assertEquals(Status.Code.DATA_LOSS, e.getStatus().getCode(), e.toString());
        assertTrue(e.getStatus().getDescription().startsWith("object " + name.toHex()
                + " is corrupt on this storage node and was set aside"), e.getStatus().getDescription());

        assertEquals(List.of(false), call().has(HasObjectsRequest.newBuilder().addNames(get.getName()).build()).getHeldList());
        assertEquals(List.of(), held().names());
        assertEquals(0, held().usage().getObjects());
        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class, () -> call().get(get))
                .getStatus().getCode());
        assertTrue(put(data), "a good copy can be put again");
    }

    @Test
    void badListAndHasBoundsAreRefusedWithTheLimit() {
        refused(Status.Code.INVALID_ARGUMENT, "ListObjectsRequest.limit (4097) must be at most 4096",
                () -> call().list(ListObjectsRequest.newBuilder().setLimit(4097).build()));
        refused(Status.Code.INVALID_ARGUMENT, "ListObjectsRequest.limit (4294967295) must be at most 4096",
                () -> call().list(ListObjectsRequest.newBuilder().setLimit(-1).build()));
        HasObjectsRequest.Builder tooMany = HasObjectsRequest.newBuilder();
        ByteString name = Protos.toByteString(nameOf(bytes("x")));
        for (int i = 0; i <= StorageService.MAX_HAS_NAMES; i++) {
            tooMany.addNames(name);
        }
        refused(Status.Code.RESOURCE_EXHAUSTED, "HasObjectsRequest.names has 65537 names; the maximum is 65536",
                () -> call().has(tooMany.build()));
    }

    @Test
    void badIndexValuesAndAFullKeyAreRefusedAndChangeNothing() {
        ByteString key = Protos.toByteString(key(1));
        refused(Status.Code.INVALID_ARGUMENT, "AddIndexRequest.value is empty; it must be 1..4096 bytes",
                () -> call().addIndex(AddIndexRequest.newBuilder().setKey(key).build()));
        refused(Status.Code.RESOURCE_EXHAUSTED, "AddIndexRequest.value (4097 bytes) exceeds the maximum index value size "
                + "of 4096 bytes", () -> call().addIndex(AddIndexRequest.newBuilder().setKey(key)
                        .setValue(ByteString.copyFrom(new byte[4097])).build()));
        for (int i = 0; i < FragmentStore.MAX_INDEX_VALUES; i++) {
            assertTrue(call().addIndex(AddIndexRequest.newBuilder().setKey(key).setValue(bs(bytes("v" + i))).build())
                    .getAdded());
        }
        refused(Status.Code.FAILED_PRECONDITION, "index key " + key(1).toHex() + " already holds the maximum of 16 values; "
                + "nothing was added", () -> call().addIndex(AddIndexRequest.newBuilder().setKey(key)
                        .setValue(bs(bytes("one too many"))).build()));
    }
}
