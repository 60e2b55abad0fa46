package ostore.node.service;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import ostore.client.OstoreClient;

/**
 * Whether the calling client writes to every replica itself ({@link OstoreClient#WRITE_ALL_HEADER}),
 * as the SDK's ring mode does. A replica forwards the updates of any other client to its peers, so
 * that a plain gRPC client can talk to one replica alone; the header spares the ring that copy
 * when the client already sent it everywhere, and marks forwarded copies so they are not forwarded
 * again. It is a hint about traffic, never about trust: a wrong header only costs a copy or delays
 * an update until the client retransmits.
 */
public final class WriteAll implements ServerInterceptor {
    static final Metadata.Key<String> HEADER = Metadata.Key.of(OstoreClient.WRITE_ALL_HEADER,
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Boolean> SET = Context.key(OstoreClient.WRITE_ALL_HEADER);

    /** Request headers that mark a forwarded update. */
    public static Metadata header() {
        Metadata m = new Metadata();
        m.put(HEADER, "1");
        return m;
    }

    /** True inside a call whose client sent the update to every replica. */
    static boolean current() {
        return Boolean.TRUE.equals(SET.get());
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        return Contexts.interceptCall(Context.current().withValue(SET, headers.containsKey(HEADER)), call, headers, next);
    }
}
