/**
 * The Java client SDK: builds and signs updates, talks to a replica over gRPC and verifies every
 * answer before handing it to the caller.
 *
 * <p>Owns: the update builder ({@link ostore.client.Updates}, {@link ostore.client.Predicates},
 * {@link ostore.client.Actions}), the signing rule ({@link ostore.client.SignedUpdates}), the
 * client-side verifiers for update replies, reads and watches, and {@link
 * ostore.client.OstoreClient}, which ties them to a channel.
 *
 * <p>Must never: trust a byte from the server that it has not checked against a hash it computed
 * itself; return unverified data to the caller; re-serialize a signed body; or depend on any ostore
 * module except {@code crypto}.
 */
package ostore.client;
