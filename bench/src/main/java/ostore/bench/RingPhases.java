package ostore.bench;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import ostore.api.v1.Phases;
import ostore.api.v1.RingInfoGrpc;
import ostore.api.v1.RingStatusRequest;
import ostore.client.RingSpec;

/**
 * Pond's phase breakdown of the ring's update path (check, serialize/order, apply, sign; archiving
 * runs behind it), read from every replica's {@code RingInfo/Status} after a load run and averaged
 * over the replicas: each figure is the mean time one update spent in that phase at one replica.
 */
final class RingPhases {
    private RingPhases() {}

    /** Sums every replica's phases; replicas that do not answer are left out. */
    static Phases read(RingSpec ring) {
        List<Phases> all = new ArrayList<>();
        for (RingSpec.Member m : ring.replicas()) {
            ManagedChannel channel = Grpc.newChannelBuilder(m.target(), InsecureChannelCredentials.create()).build();
            try {
                all.add(RingInfoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .status(RingStatusRequest.getDefaultInstance()).getPhases());
            } catch (io.grpc.StatusRuntimeException e) {
                System.err.println("replica " + m.id() + " gave no phases: " + e.getStatus());
            } finally {
                channel.shutdownNow();
            }
        }
        Phases.Builder sum = Phases.newBuilder();
        for (Phases p : all) {
            sum.setChecks(sum.getChecks() + p.getChecks()).setCheckNanos(sum.getCheckNanos() + p.getCheckNanos())
                    .setUpdates(sum.getUpdates() + p.getUpdates()).setBatches(sum.getBatches() + p.getBatches())
                    .setOrderMicros(sum.getOrderMicros() + p.getOrderMicros())
                    .setApplyNanos(sum.getApplyNanos() + p.getApplyNanos())
                    .setSignNanos(sum.getSignNanos() + p.getSignNanos());
        }
        return sum.build();
    }

    /** {@code | colors | updates per batch | check | order | apply | sign |}, in ms per update. */
    static String markdownRow(int colors, Phases p) {
        if (p.getUpdates() == 0) {
            return "| " + colors + " | - | - | - | - | - |";
        }
        return String.format(Locale.ROOT, "| %d | %.1f | %.3f | %.3f | %.3f | %.3f |", colors,
                (double) p.getUpdates() / p.getBatches(),
                p.getChecks() == 0 ? 0.0 : p.getCheckNanos() / 1e6 / p.getChecks(),
                p.getOrderMicros() / 1e3 / p.getUpdates(), p.getApplyNanos() / 1e6 / p.getUpdates(),
                p.getSignNanos() / 1e6 / p.getUpdates());
    }
}
