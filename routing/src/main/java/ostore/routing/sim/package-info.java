/**
 * The deterministic routing simulator: nodes as objects, messages as counted method calls with a
 * modelled delay, failures, churn and gossip rounds, all from one seed; the tests and the
 * {@link ostore.routing.sim.RoutingBenchmark} driver run on it. Must never: read a clock, start a
 * thread, or iterate a hash map where the order could change a result.
 */
package ostore.routing.sim;
