/**
 * The one-command benchmark ({@code bench/run}): {@link ostore.bench.report.Suite} runs the JMH
 * microbenchmarks and every end-to-end driver, each in a JVM of its own, and renders one report
 * (the targets, ostore beside etcd with their ratios, ostore beside Pond's published
 * figures, the phases and the microbenchmarks) and a PNG of latency against throughput. The
 * report's figures are all computed from the drivers' rows; only Pond's are typed in.
 */
package ostore.bench.report;
