package ostore.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Objects;

/**
 * Every failure the SDK reports: a gRPC status from the server (its code and description kept), or
 * a failed client-side check. A reply that fails any check is {@link Status.Code#DATA_LOSS}: the
 * server, or the path to it, returned something other than what the hashes commit to or what was
 * asked for. A reply outcome this SDK does not know is {@link Status.Code#INTERNAL}; a version too
 * large for an in-memory read is {@link Status.Code#OUT_OF_RANGE}.
 */
public final class OstoreException extends RuntimeException {
    private final Status.Code code;
    private final String detail;

    public OstoreException(Status.Code code, String detail) {
        this(code, detail, null);
    }

    public OstoreException(Status.Code code, String detail, Throwable cause) {
        super(Objects.requireNonNull(code, "code") + ": " + detail, cause);
        this.code = code;
        this.detail = detail;
    }

    /** Wraps a gRPC failure, keeping the server's status code and description. */
    public static OstoreException fromGrpc(StatusRuntimeException e) {
        Status s = e.getStatus();
        String description = s.getDescription() != null ? s.getDescription() : "(no description)";
        return new OstoreException(s.getCode(), description, e);
    }

    static OstoreException dataLoss(String detail) {
        return new OstoreException(Status.Code.DATA_LOSS, detail);
    }

    static OstoreException dataLoss(String detail, Throwable cause) {
        return new OstoreException(Status.Code.DATA_LOSS, detail, cause);
    }

    public Status.Code code() {
        return code;
    }

    /** The message without the code prefix. */
    public String detail() {
        return detail;
    }
}
