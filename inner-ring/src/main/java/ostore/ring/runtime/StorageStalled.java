package ostore.ring.runtime;

/**
 * A replica's disk stopped answering: a log append, a store write or a store sync has not
 * finished within the stall limit ({@link ReplicaLoop#stallLimit}). The replica stops (fail-stop:
 * it cannot tell what the stuck operation will have done), and a replica process exits with
 * {@link #EXIT_CODE} and one line naming the operation, so a supervisor restarts it once the
 * device is back and recovery reads what reached the disk.
 */
public final class StorageStalled extends IllegalStateException {
    /** The exit code of a replica process stopped because its storage stalled (EX_IOERR). */
    public static final int EXIT_CODE = 74;

    public StorageStalled(String message) {
        super(message);
    }
}
