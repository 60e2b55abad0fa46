/**
 * JMH microbenchmarks of ostore's hot paths, run from {@code bench/target/benchmarks.jar}; where a
 * library choice was made on speed, the alternative is measured beside it.
 *
 * <p>Benchmarks only measure: they never assert behaviour (the modules' tests do) and never touch
 * the network beyond 127.0.0.1. Their figures reach {@code docs/benchmarks.md} through
 * {@link ostore.bench.report.Suite} ({@code bench/run}), stamped with machine, date and commit.
 *
 * <p>The end-to-end rows come from driver JVMs, each given a list of {@link ostore.bench.WorkloadSpec}s:
 * {@link ostore.bench.LoadDriver} measures ostore (workloads a to d of issue 6 on one embedded
 * ring: disjoint updates, one hot object with its aborts, reads of the latest and of old versions,
 * 2 MiB updates, with each update workload's phase breakdown), and {@link ostore.bench.EtcdDriver}
 * measures etcd, ostore's nearest peer, on a cluster it starts itself
 * ({@link ostore.bench.etcd.EtcdCluster}); both through the same closed loop into the same
 * {@link ostore.bench.Result} rows. {@link ostore.bench.ArchiveDriver} {@code results} adds the
 * archive's rows (workload e: restores with m storage nodes down, and Pond's archive phase).
 */
package ostore.bench;
