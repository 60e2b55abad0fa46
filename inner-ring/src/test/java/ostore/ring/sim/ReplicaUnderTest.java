package ostore.ring.sim;

import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.ring.bft.ReplicaEnv;
import ostore.ring.bft.Signed;
import ostore.ring.bft.TimerKey;
import ostore.ring.log.SharedLog;
import ostore.store.VersionStore;

/**
 * The replica core as the simulator drives it: inputs only, single-threaded. Keeping the
 * simulator behind this seam means a change to the core's constructor touches one adapter.
 */
interface ReplicaUnderTest {
    void start();

    void onClientUpdate(SubmittedUpdate update);

    void onMessage(Signed<?> message);

    void onTimer(TimerKey key);

    /** Appends it made without waiting became durable. */
    void onDurable();

    /** Why the replica takes no new client updates for want of log space, if it does not ({@code Replica.logRefusal}). */
    java.util.Optional<String> logRefusal();

    /** One line of state for failure reports (view, last executed, stable checkpoint). */
    String describe();

    /** The view the replica is in, or moving to. */
    long view();

    /** Builds a fresh replica incarnation over durable storage that may already hold a past. */
    @FunctionalInterface
    interface Factory {
        ReplicaUnderTest create(int id, SigningKey key, ReplicaEnv env, SharedLog log, VersionStore store);
    }
}
