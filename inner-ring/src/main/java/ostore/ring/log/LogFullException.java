package ostore.ring.log;

/**
 * A log store refused an append for want of room (a full llpl pool, or no space on a segment log's
 * disk), and changed nothing. {@link GroupCommitter} keeps such an append and every later one and
 * tries again after each trim and every {@link GroupCommitter#FULL_RETRY}: the store's callers
 * never see this exception.
 */
public final class LogFullException extends IllegalStateException {
    public LogFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
