/**
 * etcd as the benchmarks' peer (issue 6): real etcd processes on loopback, started and stopped by
 * the benchmark itself so that ostore and etcd are measured in one run on the same machine.
 */
package ostore.bench.etcd;
