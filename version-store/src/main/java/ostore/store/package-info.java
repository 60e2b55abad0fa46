/**
 * The version-store contract: the domain records of updates, versions and outcomes, the
 * {@link ostore.store.VersionStore} interface the inner ring executes against, and the state-free
 * {@link ostore.store.UpdateValidator}.
 *
 * <p>Protobuf never appears here: the edge (api, node) converts wire messages to these records.
 * Nothing in this package does I/O; implementations live in sub-packages.
 */
package ostore.store;
