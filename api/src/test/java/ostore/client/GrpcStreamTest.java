package ostore.client;

import static ostore.client.Fixtures.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Status;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The wrapper's own logic, fed plain iterators: that the call starts in a context of its own, that
 * closing or finishing cancels that context (which is what ends a real gRPC call), and how
 * failures surface.
 */
class GrpcStreamTest {
    private final AtomicReference<Context> callContext = new AtomicReference<>();

    private <T> GrpcStream<T, T> open(Iterator<T> responses) {
        return new GrpcStream<>(() -> {
            callContext.set(Context.current());
            return responses;
        }, Function.identity());
    }

    @Test
    void startsTheCallInItsOwnContextAndCancelsItOnClose() {
        GrpcStream<Integer, Integer> s = open(List.of(1, 2, 3).iterator());
        assertNotSame(Context.current(), callContext.get());
        assertEquals(1, s.next());
        assertFalse(callContext.get().isCancelled());
        s.close();
        assertTrue(callContext.get().isCancelled());
        assertFalse(s.hasNext());
        assertThrows(NoSuchElementException.class, s::next);
    }

    @Test
    void releasesTheContextWhenTheStreamEnds() {
        GrpcStream<Integer, Integer> s = open(List.of(1).iterator());
        assertEquals(1, s.next());
        assertFalse(s.hasNext());
        assertTrue(callContext.get().isCancelled());
    }

    @Test
    void turnsGrpcFailuresIntoOstoreExceptions() {
        Iterator<Integer> failing = new Iterator<>() {
            @Override
            public boolean hasNext() {
                throw Status.NOT_FOUND.withDescription("no object 00ab").asRuntimeException();
            }

            @Override
            public Integer next() {
                throw new NoSuchElementException();
            }
        };
        GrpcStream<Integer, Integer> s = open(failing);
        assertFails(Status.Code.NOT_FOUND, "no object 00ab", s::hasNext);
        assertTrue(callContext.get().isCancelled());
    }

    @Test
    void aFailedConversionEndsTheCall() {
        GrpcStream<Integer, Integer> s = new GrpcStream<>(() -> {
            callContext.set(Context.current());
            return List.of(1, 2).iterator();
        }, i -> {
            throw OstoreException.dataLoss("bad " + i);
        });
        assertFails(Status.Code.DATA_LOSS, "bad 1", s::next);
        assertTrue(callContext.get().isCancelled());
        assertFalse(s.hasNext());
    }
}
