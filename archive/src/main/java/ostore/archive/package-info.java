/**
 * The deep archive's roles: {@link ostore.archive.ArchiveWriter} erasure-codes a certified version
 * onto storage nodes, {@link ostore.archive.Restorer} rebuilds it from any k verified fragments per
 * stripe, {@link ostore.archive.Scrubber} finds and regenerates lost or corrupt fragments. They reach
 * storage nodes only through {@link ostore.archive.ArchiveNodes} and trust none of them: every
 * object is checked against its name, every manifest against a ring certificate. Where a fragment
 * is when its placed node lacks it is asked of a {@link ostore.archive.FragmentLocator} (the node
 * module's routing layer; this module does not depend on routing or gRPC), and only hinted: the
 * bytes are checked like any others.
 *
 * <p>Owns: the archive write rule, the verification order and the index entry format. Must never:
 * hand a sink bytes not checked against a certified BGUID, decode an unverified fragment, or depend
 * on the version store, the ring or the routing layer (the node module wires them: it calls the writer after each
 * certified version and the restorer from the Restore RPC).
 */
package ostore.archive;
