/**
 * A storage node's contract ({@link ostore.archive.store.FragmentStore}): durable, content-addressed
 * objects and a small multi-valued index, and its file-backed implementation. Must never accept or
 * hand out bytes that do not match their name.
 */
package ostore.archive.store;
