package ostore.client;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A blocking server-streaming call that can be abandoned. grpc-java's blocking iterator cannot be
 * closed, and an abandoned one keeps its call open; so the call is started inside its own
 * cancellable context, and {@link #close()} cancels that context. gRPC failures surface as
 * {@link OstoreException}; so does a failed check in {@code convert}, which also ends the call.
 */
final class GrpcStream<T, R> implements CloseableIterator<R> {
    private final Context.CancellableContext context;
    private final Iterator<T> responses;
    private final Function<T, R> convert;
    private volatile boolean closed;

    GrpcStream(Supplier<Iterator<T>> call, Function<T, R> convert) {
        this.convert = convert;
        this.context = Context.current().withCancellation();
        Context previous = context.attach();
        try {
            this.responses = call.get();
        } catch (StatusRuntimeException e) {
            context.cancel(e);
            throw OstoreException.fromGrpc(e);
        } finally {
            context.detach(previous);
        }
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        try {
            boolean more = responses.hasNext();
            if (!more) {
                close();
            }
            return more;
        } catch (StatusRuntimeException e) {
            if (closed) {
                return false;
            }
            close();
            throw OstoreException.fromGrpc(e);
        }
    }

    @Override
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException("stream has ended");
        }
        T response = responses.next();
        try {
            return convert.apply(response);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        closed = true;
        context.cancel(null);
    }
}
