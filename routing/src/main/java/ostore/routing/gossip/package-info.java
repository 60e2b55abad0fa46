/**
 * Neighbour gossip: the {@link ostore.routing.gossip.Advertisement} one node sends another each
 * round, its versioned wire format, and the refusal a bad message gets. Transport-free: the
 * simulator hands bytes between objects, {@code ostore.routing.net} hands the same bytes, signed,
 * between processes.
 * Must never: decode past a bound before checking it, or let a refused message change anything.
 */
package ostore.routing.gossip;
