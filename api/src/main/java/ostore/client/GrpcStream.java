package ostore.client;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A blocking server-streaming call that can be abandoned. grpc-java's blocking iterator cannot be
 * closed, and an abandoned one keeps its call open; so the call is started inside its own
 * cancellable context, and {@link #close()} cancels that context. gRPC failures surface as
 * {@link OstoreException}; so does a failed check in {@code convert}, which also ends the call.
 *
 * <p>With an idle limit, every wait for the next message (or the end of the stream) is bounded by
 * it: a server that accepts the call and then falls silent is cut off with
 * {@link Status.Code#DEADLINE_EXCEEDED}. The limit is per message, not per call, so a version of any
 * size can still be streamed as long as its blocks keep arriving.
 */
final class GrpcStream<T, R> implements CloseableIterator<R> {
    /** Cancels silent calls; one daemon thread for all clients, idle while nothing waits. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ostore-client-deadlines").daemon().factory());

    private final Context.CancellableContext context;
    private final Iterator<T> responses;
    private final Function<T, R> convert;
    private final Duration idle;
    private final String peer;
    private volatile boolean closed;
    private volatile boolean timedOut;

    /** A stream without an idle limit: waits as long as the server stays connected. */
    GrpcStream(Supplier<Iterator<T>> call, Function<T, R> convert) {
        this(call, convert, null, "the server");
    }

    /**
     * @param idle the longest wait for any one message, or null for none
     * @param peer who is called, for the message of a timeout
     */
    GrpcStream(Supplier<Iterator<T>> call, Function<T, R> convert, Duration idle, String peer) {
        this.convert = convert;
        this.idle = idle;
        this.peer = peer;
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
        ScheduledFuture<?> alarm = idle == null ? null
                : WATCHDOG.schedule(this::expire, idle.toNanos(), TimeUnit.NANOSECONDS);
        boolean more;
        try {
            more = responses.hasNext();
        } catch (StatusRuntimeException e) {
            if (timedOut) {
                throw timeout(e);
            }
            if (closed) {
                return false;
            }
            close();
            throw OstoreException.fromGrpc(e);
        } finally {
            if (alarm != null) {
                alarm.cancel(false);
            }
        }
        if (timedOut) {
            // The alarm went off just as the answer came: the call is cancelled, so report it as late.
            throw timeout(null);
        }
        if (!more) {
            close();
        }
        return more;
    }

    private OstoreException timeout(Throwable cause) {
        return new OstoreException(Status.Code.DEADLINE_EXCEEDED, peer + " sent nothing for " + idle.toMillis()
                + " ms", cause);
    }

    /** On the watchdog's thread: cancelling the context fails the blocked {@code hasNext}. */
    private void expire() {
        timedOut = true;
        closed = true;
        context.cancel(Status.DEADLINE_EXCEEDED.withDescription("idle limit reached").asRuntimeException());
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
