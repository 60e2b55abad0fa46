/**
 * The deep archive inside the server: every replica queues each certified version
 * ({@link ostore.node.archive.ArchivingVersionStore}, {@link ostore.node.archive.ArchiveQueue}) and
 * archives it in the background ({@link ostore.node.archive.ReplicaArchiver}); the
 * {@code ostore.v1.Archive} service reports the backlog and each version's state, restores and
 * scrubs; {@link ostore.node.archive.VersionRestore} is the restore both that service and the CLI
 * (with no replica up) run against the storage nodes a ring file lists;
 * {@link ostore.node.archive.ArchiveRebuild} rebuilds a stopped replica's version store from it
 * ({@code ostore rebuild}) when the ring lost every copy. All of them find a fragment its placed
 * node does not give through the storage nodes' routing layer
 * ({@link ostore.node.archive.RoutedFragmentLocator}, handed out by
 * {@link ostore.node.archive.RingStorage#locator()}).
 */
package ostore.node.archive;
