package ostore.ring.bft;

import java.util.function.Consumer;
import java.util.function.Supplier;
import ostore.crypto.Hash32;
import ostore.store.Outcome;

/**
 * Everything a replica does to the world outside its own state: time, the network, timers and
 * answers to clients. The replica core is single-threaded and calls nothing else that can block
 * or vary, so the same code runs inside the deterministic simulator (which supplies a seeded
 * network, clock and scheduler) and in a real process (gRPC and a real clock).
 *
 * <p>Storage is not here: the replica gets its {@code SharedLog} and {@code VersionStore} at
 * construction, and the simulator supplies versions of both whose crashes lose unsynced writes.
 */
public interface ReplicaEnv {
    /** Microseconds since the epoch; never goes backwards within one replica incarnation. */
    long nowMicros();

    /**
     * Sends an encoded, signed frame to replica {@code to}. Best effort: the frame may be lost,
     * delayed, duplicated or reordered, never altered undetectably (frames are signed).
     */
    void send(int to, byte[] frame);

    /** Arms (or re-arms) the timer {@code key} to fire once after {@code afterMicros}. */
    void setTimer(TimerKey key, long afterMicros);

    void cancelTimer(TimerKey key);

    /**
     * Hands the signed reply for the update with digest {@code updateDigest} to whichever client
     * connection is waiting for it at this replica (none may be), with the outcome its execution
     * here returned, from which the driver builds the client's answer without reading the store;
     * null when the reply was signed before (a retry) or the outcome was read back after a crash.
     */
    void reply(Hash32 updateDigest, byte[] signedReply, Outcome outcome);

    /**
     * Called on any thread when a record the replica appended without waiting became durable (or
     * failed): the driver must then call {@link Replica#onDurable()} on the replica's thread soon,
     * or the messages waiting for that record are never sent. Must not block. Not a default
     * method, so no driver can forget it; one whose log completes appends at once may do nothing.
     */
    void durabilityAdvanced();

    /**
     * Runs {@code apply}, store work of {@code color} (the version-store writes of one batch, or a
     * store sync for a checkpoint), then hands its result to {@code done} on the replica's thread.
     * A driver with threads runs {@code apply} on one of its own, so colors execute in parallel,
     * syncs happen off the replica's thread and the replica goes on ordering meanwhile; the replica
     * promises at most one batch per color at a time (a sync may run beside it), and touches that
     * color's store state only after {@code done}. A driver may also run both at once, or {@code apply} at once and
     * {@code done} later. {@code done} runs once unless the replica stopped first; if {@code apply}
     * throws, the replica must fail as if it had thrown itself.
     */
    <T> void execute(int color, Supplier<T> apply, Consumer<T> done);
}
