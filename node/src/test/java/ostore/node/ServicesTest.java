package ostore.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import ostore.api.v1.ObjectStoreGrpc;
import ostore.client.CloseableIterator;
import ostore.client.OstoreClient;
import ostore.client.OstoreException;
import ostore.client.VerifiedRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node offers besides the object store, and how it stops. */
class ServicesTest {
    @TempDir
    Path dir;

    @Test
    void healthReportsTheObjectStoreServing() throws Exception {
        try (TestNode node = TestNode.start(dir)) {
            var health = HealthGrpc.newBlockingStub(node.channel);
            assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                    .setService(ObjectStoreGrpc.SERVICE_NAME).build()).getStatus());
            assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        }
    }

    @Test
    void reflectionListsTheObjectStoreService() throws Exception {
        try (TestNode node = TestNode.start(dir)) {
            CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
            StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(node.channel)
                    .serverReflectionInfo(new StreamObserver<>() {
                        @Override
                        public void onNext(ServerReflectionResponse response) {
                            answer.complete(response);
                        }

                        @Override
                        public void onError(Throwable t) {
                            answer.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                            answer.completeExceptionally(new AssertionError("no reply before the end of the stream"));
                        }
                    });
            requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
            requests.onCompleted();
            List<String> services = answer.get().getListServicesResponse().getServiceList().stream()
                    .map(ServiceResponse::getName).toList();
            assertTrue(services.contains(ObjectStoreGrpc.SERVICE_NAME), services::toString);
        }
    }

    @Test
    void closingTheNodeEndsOpenWatchesWithUnavailable() throws Exception {
        TestNode node = TestNode.start(dir);
        try (OstoreClient client = node.client(TestNode.newKey());
                CloseableIterator<VerifiedRoot> versions = client.watch(client.aguidOf("w"), 0)) {
            client.put("w", EndToEndTest.text("x"));
            assertEquals(1, versions.next().root().seq());
            node.node.close();
            OstoreException e = assertThrows(OstoreException.class, versions::hasNext);
            assertEquals(Status.Code.UNAVAILABLE, e.code());
        } finally {
            node.channel.shutdownNow();
        }
    }
}
