/**
 * The durable {@link ostore.store.VersionStore}: blocks, versions, indexes and history in RocksDB.
 *
 * <p>Why RocksDB: the store needs an ordered index (latest version and as-of reads are
 * seek-for-previous over big-endian keys), atomic multi-key batches (one update writes blocks,
 * version, indexes, history and its color's applied log position together) and crash recovery with a
 * write-ahead log. Those are years of hard, tested work we should not hand-make; RocksDB gives all
 * three, embedded, and keeps large write-once blocks in blob files.
 *
 * <p>Column families: {@code blocks} (BGUID to bytes, written once), {@code versions} (aguid ‖ seq
 * to the versioned record of root and block list), {@code vguids} (VGUID to aguid ‖ seq),
 * {@code as-of} (aguid ‖ timestamp ‖ seq), {@code history} (aguid ‖ index to the versioned entry),
 * {@code nonces} (aguid ‖ writer ‖ nonce to history index), {@code certificates} (aguid ‖ seq to
 * the ring's opaque certificate bytes, replaced when a fuller one arrives) and {@code default}
 * for meta (store format, and the applied log position of each color under
 * {@code "applied/" ‖ color}). Format 2 replaced format 1's single applied position with one per
 * color, because the ring executes colors independently; format 1 stores were never released, so
 * opening one is refused rather than converted.
 *
 * <p>This package must never decide what an update means (the engine does) or how a store answers
 * (the core does), never delete or rewrite a stored block or version, and never write outside
 * one batch per applied update; a certificate is one put of its own.
 */
package ostore.store.rocks;
