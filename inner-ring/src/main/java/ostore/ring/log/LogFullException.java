package ostore.ring.log;

/**
 * An append failed because the log store has no room left, and changed nothing. Space comes back
 * only when a checkpoint trims the log, so the writer should checkpoint before it appends again.
 */
public final class LogFullException extends IllegalStateException {
    public LogFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
