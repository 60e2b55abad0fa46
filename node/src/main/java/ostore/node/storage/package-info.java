/**
 * The deep archive's storage nodes over the network: {@link ostore.node.storage.StorageService}
 * (the {@code ostore.v1.FragmentStore} service over any {@code FragmentStore}), {@link
 * ostore.node.storage.StorageNode} (a running node on a directory of files) and {@link
 * ostore.node.storage.RemoteFragmentStore} (one node as a {@code FragmentStore}, for the archive's
 * writer, restorer and scrubber).
 *
 * <p>Must never trust a storage node with content: every object read from one is checked against
 * its name on this side too. Must never decide placement or coding; that is {@code archive}'s.
 */
package ostore.node.storage;
