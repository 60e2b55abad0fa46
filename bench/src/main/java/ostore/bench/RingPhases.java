package ostore.bench;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import ostore.api.v1.Phases;
import ostore.api.v1.RingInfoGrpc;
import ostore.api.v1.RingStatusRequest;
import ostore.client.RingSpec;

/**
 * Pond's phase breakdown of the ring's update path (check, serialize/order, apply, sign; archiving
 * runs behind it), from every replica's {@code RingInfo/Status}. A replica's counters run from its
 * start, so one workload's share is the difference of two {@link #read readings} taken around it
 * ({@link Breakdown#between}), averaged over the replicas: each figure is the mean time one update
 * spent in that phase at one replica.
 */
final class RingPhases {
    private RingPhases() {}

    /** Every answering replica's counters at one moment, by replica id. */
    record Snapshot(Map<Integer, Phases> byReplica) {
        Snapshot {
            byReplica = Map.copyOf(byReplica);
        }
    }

    /** Reads every replica's counters; replicas that do not answer are left out (and said so on stderr). */
    static Snapshot read(RingSpec ring) {
        Map<Integer, Phases> all = new TreeMap<>();
        for (RingSpec.Member m : ring.replicas()) {
            ManagedChannel channel = Grpc.newChannelBuilder(m.target(), InsecureChannelCredentials.create()).build();
            try {
                all.put(m.id(), RingInfoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .status(RingStatusRequest.getDefaultInstance()).getPhases());
            } catch (io.grpc.StatusRuntimeException e) {
                System.err.println("replica " + m.id() + " gave no phases: " + e.getStatus());
            } finally {
                channel.shutdownNow();
            }
        }
        return new Snapshot(all);
    }

    /**
     * One workload's phases, in ms per update at one replica, and how many updates per batch the
     * replicas ordered; NaN where no update (or no check) was counted.
     */
    record Breakdown(String workload, int clients, long payloadBytes, double perBatch, double checkMs,
            double orderMs, double applyMs, double signMs) {
        static final String PREFIX = "phases ";

        Breakdown {
            Objects.requireNonNull(workload, "workload");
        }

        /**
         * The updates between two readings, summed over the replicas that answered both (a replica
         * missing from either would skew the mean): check per checked update, order per update, and
         * apply and sign per batch (the replicas count those per batch, and every update of a batch
         * waits for all of it), so each figure is the time one update spends in that phase.
         */
        static Breakdown between(WorkloadSpec spec, Snapshot before, Snapshot after) {
            long checks = 0;
            long checkNanos = 0;
            long updates = 0;
            long batches = 0;
            long orderMicros = 0;
            long applyNanos = 0;
            long signNanos = 0;
            for (Map.Entry<Integer, Phases> e : after.byReplica().entrySet()) {
                Phases b = before.byReplica().get(e.getKey());
                if (b == null) {
                    continue;
                }
                Phases a = e.getValue();
                checks += a.getChecks() - b.getChecks();
                checkNanos += a.getCheckNanos() - b.getCheckNanos();
                updates += a.getUpdates() - b.getUpdates();
                batches += a.getBatches() - b.getBatches();
                orderMicros += a.getOrderMicros() - b.getOrderMicros();
                applyNanos += a.getApplyNanos() - b.getApplyNanos();
                signNanos += a.getSignNanos() - b.getSignNanos();
            }
            double u = updates > 0 ? updates : Double.NaN;
            double b = batches > 0 ? batches : Double.NaN;
            return new Breakdown(spec.workload(), spec.clients(), spec.payloadBytes(), updates / b,
                    checks > 0 ? checkNanos / 1e6 / checks : Double.NaN, orderMicros / 1e3 / u, applyNanos / 1e6 / b,
                    signNanos / 1e6 / b);
        }

        /**
         * {@code phases workload=.. clients=.. payload=.. perBatch=.. check=.. order=.. apply=.. sign=..},
         * numbers as {@link Double#toString} writes them.
         */
        String toLine() {
            return PREFIX + "workload=" + workload + " clients=" + clients + " payload=" + payloadBytes + " perBatch="
                    + perBatch + " check=" + checkMs + " order=" + orderMs + " apply=" + applyMs + " sign=" + signMs;
        }

        /** Parses a line written by {@link #toLine()}; throws {@link IllegalArgumentException} naming what is wrong. */
        static Breakdown parse(String line) {
            Map<String, String> f = Fields.parse(line, PREFIX, "phases");
            try {
                return new Breakdown(need(f, "workload", line), Integer.parseInt(need(f, "clients", line)),
                        Long.parseLong(need(f, "payload", line)), dbl(f, "perBatch", line), dbl(f, "check", line),
                        dbl(f, "order", line), dbl(f, "apply", line), dbl(f, "sign", line));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a number in this phases line does not parse (" + e.getMessage()
                        + "): " + line, e);
            }
        }

        private static String need(Map<String, String> f, String key, String line) {
            return Fields.need(f, key, "phases", line);
        }

        private static double dbl(Map<String, String> f, String key, String line) {
            return Double.parseDouble(need(f, key, line));
        }
    }
}
