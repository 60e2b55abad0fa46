/**
 * Location of GUIDs (fragments, blocks, object replicas) across storage nodes, after OceanStore:
 * every node summarizes what it holds in a Bloom filter ({@code .filter}), neighbours exchange
 * attenuated filters by gossip ({@code .gossip}) over a bounded-degree overlay ({@code .overlay}),
 * and {@link ostore.routing.locate.Locator} follows the filters toward a nearby copy, falling back
 * to rendezvous-hashed pointer roots that always find an item published under the same rule.
 * {@code .sim} runs many nodes as objects in one thread, seeded, for tests and the benchmark driver.
 *
 * <p>Owns: the filter and gossip wire formats, the overlay's neighbour rule, the locate algorithm
 * and the fallback rule. Must never: depend on the version store or the ring (it locates bytes, it
 * does not interpret them), trust a filter hit without probing the node, or let a message from a
 * non-member or a malformed message change any state.
 */
package ostore.routing;
