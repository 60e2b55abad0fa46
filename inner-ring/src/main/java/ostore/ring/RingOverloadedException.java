package ostore.ring;

import java.util.concurrent.RejectedExecutionException;

/**
 * A submission refused at once because the updates already queued in the ring (waiting for the log
 * or for execution) hold as many bytes as the ring allows; nothing was ordered, so the same update
 * may be sent again later. The edge answers it as RESOURCE_EXHAUSTED.
 */
public final class RingOverloadedException extends RejectedExecutionException {
    public RingOverloadedException(String message) {
        super(message);
    }
}
