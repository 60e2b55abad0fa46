package ostore.node.cli;

import com.google.protobuf.util.JsonFormat;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import ostore.api.v1.ColorStatus;
import ostore.api.v1.Phases;
import ostore.api.v1.ReplicaStatusReply;
import ostore.api.v1.RingInfoGrpc;
import ostore.api.v1.RingStatusRequest;
import ostore.client.RingSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ring", mixinStandardHelpOptions = true, description = "Inspect a BFT ring.",
        subcommands = RingCommand.Status.class)
final class RingCommand {
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Ask every replica of the ring for its view, primary, and per color the last executed batch "
                    + "and the last stable checkpoint.",
                "What replicas say about themselves is not signed: it is for operators, not for trust."})
    static final class Status implements Callable<Integer> {
        static final long DEADLINE_SECONDS = 3;

        @Spec
        CommandSpec spec;

        @Option(names = "--ring", paramLabel = "FILE", description = "the ring configuration (default: ~/.ostore/data/ring.conf)")
        Path ring;

        @Option(names = "--json", description = "print one JSON object per replica, one per line")
        boolean json;

        @Override
        public Integer call() throws IOException {
            RingSpec s = ClientOptions.loadRing(ring != null ? ring : ClientOptions.defaultRingFile());
            PrintWriter out = spec.commandLine().getOut();
            if (!json) {
                out.println("ring epoch " + s.epoch() + ", " + s.n() + " replicas, f = " + s.f() + ", " + s.colors()
                        + " color(s)");
            }
            int answered = 0;
            for (RingSpec.Member m : s.replicas()) {
                ManagedChannel channel = Grpc.newChannelBuilder(m.target(), InsecureChannelCredentials.create()).build();
                try {
                    ReplicaStatusReply r = RingInfoGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).status(RingStatusRequest.getDefaultInstance());
                    answered++;
                    out.println(json ? JsonFormat.printer().omittingInsignificantWhitespace().print(r) : describe(m, r));
                } catch (StatusRuntimeException e) {
                    out.println(json ? "{\"id\":" + m.id() + ",\"error\":\"" + e.getStatus().getCode() + "\"}"
                            : "replica " + m.id() + " " + m.target() + ": no answer (" + e.getStatus().getCode()
                                    + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()) + ")");
                } finally {
                    channel.shutdownNow();
                }
            }
            // The ring works while 2f+1 replicas do; fewer answering is worth a failing exit code.
            return answered >= s.quorum() ? Main.OK : Main.FAILED;
        }

        private static String describe(RingSpec.Member m, ReplicaStatusReply r) {
            StringBuilder b = new StringBuilder("replica " + r.getId() + " " + m.target() + ": view " + r.getView()
                    + (r.getViewChanging() ? " (changing)" : "") + ", primary " + r.getPrimary()
                    + ", pending " + r.getPendingUpdates() + ", certificates " + r.getCertificatesAttached()
                    + " (" + r.getUncertifiedVersions() + " versions still without one)"
                    + ", log " + r.getLogStore() + " " + (r.getLogBytesUsed() >> 20)
                    + (r.getLogCapacityBytes() == 0 ? " MiB" : " of " + (r.getLogCapacityBytes() >> 20) + " MiB")
                    + (r.getLogRefusal().isEmpty() ? "" : " (takes no new updates: " + r.getLogRefusal() + ")"));
            for (ColorStatus c : r.getColorsList()) {
                b.append("\n  color ").append(c.getColor()).append(": last executed ").append(c.getLastExecuted())
                        .append(", stable checkpoint ").append(c.getStableCheckpoint())
                        .append(c.getStranded() ? ", stranded: installing a peer's store snapshot" : "");
            }
            Phases p = r.getPhases();
            if (p.getUpdates() > 0) {
                b.append(String.format(java.util.Locale.ROOT, "%n  phases per update (%d updates, %.1f per batch): check %.3f ms,"
                        + " order %.3f ms, apply %.3f ms, sign %.3f ms", p.getUpdates(),
                        (double) p.getUpdates() / p.getBatches(),
                        p.getChecks() == 0 ? 0.0 : p.getCheckNanos() / 1e6 / p.getChecks(),
                        p.getOrderMicros() / 1e3 / p.getUpdates(), p.getApplyNanos() / 1e6 / p.getUpdates(),
                        p.getSignNanos() / 1e6 / p.getUpdates()));
            }
            return b.toString();
        }
    }
}
