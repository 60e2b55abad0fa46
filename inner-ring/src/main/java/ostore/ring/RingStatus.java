package ostore.ring;

/**
 * What a replica reports about itself.
 *
 * @param replicas ring size n
 * @param logStore which log store backs the log ("llpl" or "segment")
 * @param lastExecuted log position of the last executed update, -1 if none
 * @param stableCheckpoint log position up to which state is durable and the log trimmed, -1 if none
 */
public record RingStatus(int replicas, String logStore, long lastExecuted, long stableCheckpoint) {}
