package ostore.node.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.node.wire.BadRequestException;
import ostore.store.InvalidUpdateException;
import ostore.store.Outcome;

/**
 * Every failure a client can see, as a gRPC status. Clients get a code and a message naming the
 * field and limit; stack traces stay in the node's log.
 */
final class Statuses {
    private static final Logger LOG = Logger.getLogger(Statuses.class.getName());

    private Statuses() {}

    static Status.Code code(Outcome.Rejection reason) {
        return switch (reason) {
            case UNKNOWN_OBJECT -> Status.Code.NOT_FOUND;
            case NOT_A_WRITER, NOT_THE_OWNER -> Status.Code.PERMISSION_DENIED;
            case BAD_CREATION, INVALID_ACTION -> Status.Code.INVALID_ARGUMENT;
            case ENCRYPTED_OBJECT -> Status.Code.FAILED_PRECONDITION;
            case NONCE_REUSED -> Status.Code.ALREADY_EXISTS;
            case LIMIT_EXCEEDED -> Status.Code.RESOURCE_EXHAUSTED;
        };
    }

    static StatusRuntimeException rejected(Outcome.Rejected rejected) {
        return status(code(rejected.reason()), rejected.message());
    }

    static StatusRuntimeException status(Status.Code code, String message) {
        return code.toStatus().withDescription(message).asRuntimeException();
    }

    /**
     * Maps anything thrown while serving {@code what} (an RPC name) to a status. Expected failures
     * keep their meaning; anything else is a bug or a broken disk, reported as INTERNAL with its
     * message and logged with its stack trace here, never sent to the client.
     */
    static StatusRuntimeException toStatus(String what, Throwable failure) {
        return switch (failure) {
            case CompletionException c when c.getCause() != null -> toStatus(what, c.getCause());
            case StatusRuntimeException s -> s;
            case BadRequestException b -> status(
                    b.unauthenticated() ? Status.Code.UNAUTHENTICATED : Status.Code.INVALID_ARGUMENT, b.getMessage());
            case InvalidUpdateException i -> status(code(i.reason()), i.getMessage());
            default -> internal(what, failure);
        };
    }

    private static StatusRuntimeException internal(String what, Throwable failure) {
        LOG.log(Level.WARNING, what + " failed", failure);
        String detail = failure.getMessage() == null ? "" : ": " + failure.getMessage();
        return status(Status.Code.INTERNAL, what + " failed on the node (" + failure.getClass().getSimpleName()
                + detail + ")");
    }
}
