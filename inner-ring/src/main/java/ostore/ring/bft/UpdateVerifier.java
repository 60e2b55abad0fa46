package ostore.ring.bft;

import ostore.store.AuthenticatedUpdate;

/**
 * Checks a signed update fetched from a peer (or read back from the log) and decodes it: the
 * client's signature must verify over the body. The node supplies the protobuf implementation;
 * the ring never parses wire formats itself.
 */
@FunctionalInterface
public interface UpdateVerifier {
    /** @throws IllegalArgumentException if the bytes are malformed or the signature does not verify */
    AuthenticatedUpdate verify(byte[] signedUpdate);
}
