/**
 * What every {@link ostore.store.VersionStore} shares: {@link ostore.store.core.AbstractVersionStore}
 * holds each rule of the contract once (argument checks, log-position order, nonce idempotence,
 * precheck, turning the engine's decision into an outcome and a history entry), and
 * {@link ostore.store.core.Change} is the one atomic write an apply produces.
 *
 * <p>It exists so the memory store the ring's simulator runs on cannot drift from the RocksDB
 * store: both are this class plus storage. {@link ostore.store.core.JournalEntry} is what an apply
 * journals for snapshots and chains into the color's store digest, so that digest, too, is
 * computed once for both stores. It must never hold state of its own beyond each color's applied
 * position and store digest, never do I/O itself, and never let an implementation decide what an
 * update means.
 */
package ostore.store.core;
