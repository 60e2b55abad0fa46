package ostore.ring.sim;

import java.util.Arrays;
import java.util.Collection;

/**
 * What the simulated network does to frames, set fluently in the manner of CorfuDB's test routers
 * ({@code faults.loss(0.1).duplication(0.05).partition(Set.of(0, 1))}). Every decision it makes
 * is drawn by {@link SimNetwork} from the run's seeded random source; this class only holds the
 * rules. Nodes are numbered: replicas first, then clients.
 */
final class NetworkFaults {
    private final int nodes;
    private double loss;
    private double duplication;
    private double reorder;
    private long delayMinMicros;
    private long delayMaxMicros;
    private long reorderExtraMaxMicros;
    /** Extra delay per byte of a frame (a link's bandwidth), in nanoseconds; 0 in the checking runs. */
    private long transferNanosPerByte;
    /** Extra loss on one directed link, on top of {@link #loss}; 0 when the link has no rule. */
    private final double[][] linkLoss;
    /** Which side of a partition each node is on; frames between sides are lost. All 0 when healed. */
    private final int[] side;

    NetworkFaults(int nodes, long delayMinMicros, long delayMaxMicros) {
        this.nodes = nodes;
        this.linkLoss = new double[nodes][nodes];
        this.side = new int[nodes];
        delay(delayMinMicros, delayMaxMicros);
    }

    NetworkFaults loss(double probability) {
        this.loss = checkProbability("loss", probability);
        return this;
    }

    NetworkFaults duplication(double probability) {
        this.duplication = checkProbability("duplication", probability);
        return this;
    }

    /** With {@code probability} a frame is held back up to {@code extraMaxMicros} longer, so later ones overtake it. */
    NetworkFaults reorder(double probability, long extraMaxMicros) {
        this.reorder = checkProbability("reorder", probability);
        if (extraMaxMicros < 0) {
            throw new IllegalArgumentException("extraMaxMicros (" + extraMaxMicros + ") must be >= 0");
        }
        this.reorderExtraMaxMicros = extraMaxMicros;
        return this;
    }

    NetworkFaults delay(long minMicros, long maxMicros) {
        if (minMicros < 0 || maxMicros < minMicros) {
            throw new IllegalArgumentException(
                    "delay range (" + minMicros + ".." + maxMicros + ") must satisfy 0 <= min <= max");
        }
        this.delayMinMicros = minMicros;
        this.delayMaxMicros = maxMicros;
        return this;
    }

    /** Every frame takes {@code nanosPerByte} per byte longer: a link of finite bandwidth (benchmarks). */
    NetworkFaults transferNanosPerByte(long nanosPerByte) {
        if (nanosPerByte < 0) {
            throw new IllegalArgumentException("nanosPerByte (" + nanosPerByte + ") must be >= 0");
        }
        this.transferNanosPerByte = nanosPerByte;
        return this;
    }

    long transferNanosPerByte() {
        return transferNanosPerByte;
    }

    /** Loss on the directed link {@code from -> to}, on top of the global loss. */
    NetworkFaults linkLoss(int from, int to, double probability) {
        linkLoss[checkNode(from)][checkNode(to)] = checkProbability("link loss", probability);
        return this;
    }

    /** Splits the network in two: {@code island} on one side, everyone else on the other. */
    NetworkFaults partition(Collection<Integer> island) {
        Arrays.fill(side, 0);
        for (int node : island) {
            side[checkNode(node)] = 1;
        }
        return this;
    }

    NetworkFaults isolate(int node) {
        Arrays.fill(side, 0);
        side[checkNode(node)] = 1;
        return this;
    }

    /** Ends every fault: partitions, link rules, loss, duplication and reordering. Delays stay. */
    NetworkFaults heal() {
        Arrays.fill(side, 0);
        for (double[] row : linkLoss) {
            Arrays.fill(row, 0);
        }
        loss = 0;
        duplication = 0;
        reorder = 0;
        return this;
    }

    boolean partitioned(int from, int to) {
        return side[from] != side[to];
    }

    double lossOn(int from, int to) {
        return 1 - (1 - loss) * (1 - linkLoss[from][to]);
    }

    double duplication() {
        return duplication;
    }

    double reorder() {
        return reorder;
    }

    long reorderExtraMaxMicros() {
        return reorderExtraMaxMicros;
    }

    long delayMinMicros() {
        return delayMinMicros;
    }

    long delayMaxMicros() {
        return delayMaxMicros;
    }

    int nodes() {
        return nodes;
    }

    private int checkNode(int node) {
        if (node < 0 || node >= nodes) {
            throw new IllegalArgumentException("node (" + node + ") must be in 0.." + (nodes - 1));
        }
        return node;
    }

    private static double checkProbability(String what, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(what + " probability (" + p + ") must be in [0, 1]");
        }
        return p;
    }
}
