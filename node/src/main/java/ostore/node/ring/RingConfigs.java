package ostore.node.ring;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ostore.client.RingFile;
import ostore.client.RingSpec;
import ostore.ring.bft.ReplicaAddress;
import ostore.ring.bft.RingConfig;

/**
 * The one place a ring file's description ({@link RingSpec}, the SDK's) becomes the replica
 * core's {@link RingConfig} and back. The parameter names are the file's; their meaning and limits
 * are the core's, checked by {@link RingConfig.Params}.
 */
public final class RingConfigs {
    private RingConfigs() {}

    /** @throws IllegalArgumentException if the parameters break the core's rules (names the parameter) */
    public static RingConfig toConfig(RingSpec spec) {
        RingConfig.Params params = new RingConfig.Params(
                Math.toIntExact(spec.param("max-batch-size")),
                spec.param("batch-wait-micros"),
                Math.toIntExact(spec.param("checkpoint-interval")),
                Math.toIntExact(spec.param("watermark-window")),
                spec.param("view-change-timeout-micros"),
                spec.param("max-skew-micros"));
        List<ReplicaAddress> replicas = spec.replicas().stream()
                .map(m -> new ReplicaAddress(m.id(), m.host(), m.port(), m.key()))
                .toList();
        return new RingConfig(spec.epoch(), spec.f(), replicas, spec.colors(), params);
    }

    /** {@code params} under the file's names, in {@link RingFile#PARAMS} order. */
    public static Map<String, Long> params(RingConfig.Params params) {
        Map<String, Long> named = new LinkedHashMap<>();
        named.put("max-batch-size", (long) params.maxBatchSize());
        named.put("batch-wait-micros", params.batchWaitMicros());
        named.put("checkpoint-interval", (long) params.checkpointInterval());
        named.put("watermark-window", (long) params.watermarkWindow());
        named.put("view-change-timeout-micros", params.viewChangeTimeoutMicros());
        named.put("max-skew-micros", params.maxSkewMicros());
        assert named.keySet().stream().toList().equals(RingFile.PARAMS) : "every file parameter, in file order";
        return named;
    }
}
