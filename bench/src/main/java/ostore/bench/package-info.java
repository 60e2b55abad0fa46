/**
 * JMH microbenchmarks of ostore's hot paths, run from {@code bench/target/benchmarks.jar}; where a
 * library choice was made on speed, the alternative is measured beside it.
 *
 * <p>Benchmarks only measure: they never assert behaviour (the modules' tests do), never write
 * results into the repository (they go to {@code docs/benchmarks.md} by hand, with machine, date
 * and commit), and never touch the network beyond 127.0.0.1.
 *
 * <p>{@link ostore.bench.EtcdDriver} measures etcd, ostore's nearest peer, with the same closed loop
 * and the same {@link ostore.bench.Result} rows, on a cluster it starts itself
 * ({@link ostore.bench.etcd.EtcdCluster}).
 */
package ostore.bench;
