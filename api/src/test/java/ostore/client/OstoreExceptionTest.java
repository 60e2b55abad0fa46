package ostore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class OstoreExceptionTest {
    @Test
    void keepsTheServersCodeAndDescription() {
        var grpc = Status.FAILED_PRECONDITION.withDescription("Update.format_version (2) must be 1").asRuntimeException();
        OstoreException e = OstoreException.fromGrpc(grpc);
        assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
        assertEquals("Update.format_version (2) must be 1", e.detail());
        assertEquals("FAILED_PRECONDITION: Update.format_version (2) must be 1", e.getMessage());
        assertSame(grpc, e.getCause());
    }

    @Test
    void saysSoWhenTheServerGaveNoDescription() {
        OstoreException e = OstoreException.fromGrpc(Status.UNAVAILABLE.asRuntimeException());
        assertEquals("UNAVAILABLE: (no description)", e.getMessage());
    }
}
