/**
 * The edge between the wire and the domain: turns a client's {@code ostore.v1.SignedUpdate} into
 * a verified {@code AuthenticatedUpdate}, and replays the node's own log records.
 *
 * <p>Owns: parsing, shape checks with field paths, signature verification (once per update per
 * node) and the update digest. Must never: check limits or state (the version store's validator and
 * precheck do), re-serialize a body (the signed bytes are the stored bytes), or let a protobuf type
 * cross into the version store or the ring.
 */
package ostore.node.wire;
