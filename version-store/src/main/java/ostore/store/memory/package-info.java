/**
 * {@link ostore.store.memory.MemoryVersionStore}: the complete version store in memory, for the
 * inner ring's single-threaded, seeded simulator, with a crash model ({@code sync}, then
 * {@code crashed()}) that loses exactly what was not synced, as RocksDB with an unsynced WAL may.
 *
 * <p>It must never be a production store (nothing reaches a disk), never read a clock or
 * randomness, and never let an outcome depend on hash-map iteration order.
 */
package ostore.store.memory;
