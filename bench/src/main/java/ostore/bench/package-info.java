/**
 * JMH microbenchmarks of ostore's hot paths, run from {@code bench/target/benchmarks.jar}; where a
 * library choice was made on speed, the alternative is measured beside it.
 *
 * <p>Benchmarks only measure: they never assert behaviour (the modules' tests do), never write
 * results into the repository (they go to {@code docs/benchmarks.md} by hand, with machine, date
 * and commit), and never touch the network.
 */
package ostore.bench;
