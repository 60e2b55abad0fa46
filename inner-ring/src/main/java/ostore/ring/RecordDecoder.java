package ostore.ring;

import ostore.store.AuthenticatedUpdate;

/**
 * Turns a logged {@code SignedUpdate} back into its domain form during replay. The node supplies
 * it, so protobuf stays at the edge and the ring never parses wire formats itself.
 */
@FunctionalInterface
public interface RecordDecoder {
    /** @throws IllegalArgumentException if the bytes are not a valid signed update */
    AuthenticatedUpdate decode(byte[] signedUpdate);
}
