package ostore.ring.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import ostore.ring.SubmittedUpdate;
import org.junit.jupiter.api.Test;

/**
 * Colors against head-of-line blocking, measured in simulated time: eight clients of small updates
 * beside one client of large ones, on a ring of 1, 2, 4 or 8 colors. A color orders its batches
 * one at a time (one batch in flight), so a small update behind a large batch of its own color
 * waits for that batch's payload to reach and be synced by every replica; in another color it does
 * not. On one two-core machine the large updates' CPU cost hides this (docs/benchmarks.md); here
 * network and disk are modelled and CPU is free, so what shows is the ordering alone.
 *
 * <p>{@code -Dostore.sim.bench=true} prints the table (docs/benchmarks.md records it); the one test
 * that always runs checks, on a short run, that small updates in other colors than the large
 * ones' wait less than in a ring of one color.
 */
class ColorsBenchmark {
    private static final long SECOND = 1_000_000;
    /** A large update: 64 KiB, taking 1 ms longer per link and 5 ms longer to sync than a small one. */
    private static final int BULK_BYTES = 64 << 10;
    private static final World.Costs COSTS = new World.Costs(16, 80, 1, BULK_BYTES);
    private static final int SMALL_CLIENTS = 8;

    /** What one run measured: small updates' latencies in simulated microseconds, by where their object's color lies. */
    record Run(int colors, boolean bulk, long[] sameColor, long[] otherColors, long smallDone, long bulkDone, long micros) {
        String row() {
            long[] all = concat(sameColor, otherColors);
            return String.format(Locale.ROOT, "| %d | %s | %.2f | %.2f | %s | %s | %,.0f | %,.0f |", colors,
                    bulk ? "64 KiB every ~10 ms" : "none", ms(percentile(all, 0.5)), ms(percentile(all, 0.99)),
                    sameColor.length == 0 ? "—" : String.format(Locale.ROOT, "%.2f", ms(percentile(sameColor, 0.5))),
                    otherColors.length == 0 ? "—" : String.format(Locale.ROOT, "%.2f", ms(percentile(otherColors, 0.5))),
                    smallDone / (micros / 1e6), bulkDone / (micros / 1e6));
        }
    }

    @Test
    void smallUpdatesInOtherColorsDoNotWaitBehindLargeOnes() {
        Run one = run(1, true, 3 * SECOND, 7);
        Run four = run(4, true, 3 * SECOND, 7);
        assertTrue(four.otherColors.length > 0 && one.sameColor.length > 0, "both runs measured small updates");
        long behind = percentile(one.sameColor, 0.5);
        long beside = percentile(four.otherColors, 0.5);
        assertTrue(beside < behind, "median small update beside the large ones in another color (" + beside
                + " us) should wait less than behind them in one color (" + behind + " us)");
    }

    @Test
    void table() {
        assumeTrue(Boolean.getBoolean("ostore.sim.bench"), "set -Dostore.sim.bench=true to print the table");
        long seed = Long.getLong("ostore.sim.seed", 7);
        System.out.println("| colors | large updates | small p50 ms | small p99 ms | p50 in the large ones' color"
                + " | p50 in other colors | small updates/s | large updates/s |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (boolean bulk : new boolean[] {false, true}) {
            for (int colors : new int[] {1, 2, 4, 8}) {
                System.out.println(run(colors, bulk, 20 * SECOND, seed).row());
            }
        }
    }

    /** Runs the clients for {@code micros} of simulated time after one second of warm-up. */
    static Run run(int colors, boolean bulk, long micros, long seed) {
        Scenario s = new Scenario("colors-bench", 1, colors, SMALL_CLIENTS + (bulk ? 1 : 0), 1, 0, Integer.MAX_VALUE,
                0, 0, 0, false, false, null, false, 0, 0, Long.MAX_VALUE, false, 4, false, 0, 0, false);
        Trace trace = new Trace();
        EventQueue events = new EventQueue(trace);
        List<ClientOp> ops = new ArrayList<>();
        World world = new World(s, new SplittableRandom(seed), events, trace, CoreReplica.factory(), e -> { },
                new SimClient.Workload() {
                    @Override
                    public void signed(SubmittedUpdate update) {}

                    @Override
                    public void invoked(ClientOp op) {
                        ops.add(op);
                    }
                }, bulk ? COSTS : new World.Costs(COSTS.transferNanosPerByte(), COSTS.syncNanosPerByte(), 0, 0));
        world.start();
        long from = SECOND;
        long until = from + micros;
        while (events.nowMicros() < until && events.runNext()) {
            // every event in simulated time order
        }
        int bulkClients = bulk ? 1 : 0;
        Integer bulkColor = null;
        for (ClientOp op : ops) {
            if (op.client < bulkClients) {
                bulkColor = world.config().colorOf(op.aguid);
            }
        }
        List<Long> same = new ArrayList<>();
        List<Long> other = new ArrayList<>();
        long bulkDone = 0;
        for (ClientOp op : ops) {
            if (!op.done() || op.invokedMicros < from || op.respondedMicros() > until) {
                continue;
            }
            if (op.client < bulkClients) {
                bulkDone++;
            } else if (bulkColor != null && world.config().colorOf(op.aguid) == bulkColor) {
                same.add(op.respondedMicros() - op.invokedMicros);
            } else {
                other.add(op.respondedMicros() - op.invokedMicros);
            }
        }
        return new Run(colors, bulk, sorted(same), sorted(other), same.size() + other.size(), bulkDone, micros);
    }

    private static long[] sorted(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        Arrays.sort(out);
        return out;
    }

    /** Nearest-rank percentile of sorted samples; 0 for none. */
    private static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
