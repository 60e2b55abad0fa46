/**
 * The fragment format (one shard of one stripe with a self-describing header) and the code
 * parameters. Owns the bytes every storage node holds; must never change an encoding in place:
 * a new layout is a new format number.
 */
package ostore.archive.fragment;
