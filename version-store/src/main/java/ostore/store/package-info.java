/**
 * The version-store contract: the domain records of updates, versions and outcomes, the
 * {@link ostore.store.VersionStore} interface the inner ring executes against, and the state-free
 * {@link ostore.store.UpdateValidator}.
 *
 * <p>Protobuf never appears here: the edge (api, node) converts wire messages to these records.
 * Nothing in this package does I/O. Sub-packages: {@code engine} (what an update means),
 * {@code core} (the contract's rules, shared by every store), {@code rocks} (the durable store) and
 * {@code memory} (the same store in memory, for the ring's deterministic simulator).
 */
package ostore.store;
