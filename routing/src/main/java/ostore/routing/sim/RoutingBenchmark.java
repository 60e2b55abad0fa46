package ostore.routing.sim;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Prints how location scales with the network: for each size, a seeded simulation with the
 * standard config ({@link SimConfig#standard}), {@value #LOOKUPS} lookups, and one row of hops,
 * messages, modelled delay, filter bytes per node, gossip bytes per round, and the share of lookups
 * the filters answered within 1, 2 and 3 hops. A benchmark, not a test: nothing is asserted.
 *
 * <p>Usage: {@code RoutingBenchmark [seed [sizes...]]}, sizes default to 50 100 200 500 1000.
 */
public final class RoutingBenchmark {
    static final int LOOKUPS = 1_000;

    private RoutingBenchmark() {}

    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
        List<Integer> sizes = args.length > 1
                ? Arrays.stream(args, 1, args.length).map(Integer::valueOf).toList()
                : List.of(50, 100, 200, 500, 1_000);
        run(seed, sizes, System.out);
    }

    static void run(long seed, List<Integer> sizes, PrintStream out) {
        SimConfig first = SimConfig.standard(seed, sizes.getFirst());
        out.printf("seed %d; %d GUIDs per node, %d copies; depth %d, hop limit %d, %d pointer roots; "
                        + "filters of %d bits, %d hashes; %d lookups per size%n",
                seed, first.itemsPerNode(), first.copies(), first.routing().depth(), first.routing().hopLimit(),
                first.routing().pointerReplicas(), first.routing().filter().bitCount(),
                first.routing().filter().numHashFunctions(), LOOKUPS);
        out.println("| nodes | found | hops | messages | delay ms | filters read | false pos. | fallback "
                + "| <=1 hop | <=2 hops | <=3 hops | filter B/node | gossip B/round | gossip B/node/round |");
        out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int n : sizes) {
            Simulation sim = Simulation.start(SimConfig.standard(seed, n));
            LookupStats s = sim.lookups(LOOKUPS);
            out.printf("| %d | %d/%d | %.2f | %.1f | %.0f | %.1f | %.2f | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %,.0f | %,d | %,.0f |%n",
                    n, s.found(), s.lookups(), s.meanHops(), s.meanMessages(), s.meanDelayMs(),
                    s.meanFiltersConsulted(), (double) s.falsePositives() / Math.max(1, s.lookups()),
                    100 * s.share(s.fallbackUsed()), 100 * s.share(s.bloomWithin1()), 100 * s.share(s.bloomWithin2()),
                    100 * s.share(s.bloomWithin3()), sim.filterBytesPerNode(), sim.gossipBytesLastRound(),
                    (double) sim.gossipBytesLastRound() / n);
        }
    }
}
