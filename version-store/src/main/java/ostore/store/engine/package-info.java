/**
 * The predicate/action engine: given an object's latest version and one authenticated update, it
 * decides commit, abort or reject and builds the next version root and its new blocks.
 *
 * <p>Owns the exact semantics of every predicate and action in {@code ostore.v1}. It must never
 * do I/O other than reading named blocks through {@link ostore.store.engine.BlockReader}, never
 * read a clock or randomness, and never depend on iteration order of unordered collections: two
 * replicas given the same inputs must produce byte-identical versions.
 */
package ostore.store.engine;
