package ostore.node.cli;

import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import ostore.archive.store.FragmentStore;
import ostore.client.RingSpec;
import ostore.node.storage.RemoteFragmentStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "archive", mixinStandardHelpOptions = true, description = "Inspect the deep archive.",
        subcommands = ArchiveCommand.Nodes.class)
final class ArchiveCommand {
    @Command(name = "nodes", mixinStandardHelpOptions = true,
            description = {"Ask every storage node the ring configuration lists whether it is up and how much it holds.",
                "Exits 3 when any storage node does not answer."})
    static final class Nodes implements Callable<Integer> {
        static final Duration DEADLINE = Duration.ofSeconds(3);

        @Spec
        CommandSpec spec;

        @Option(names = "--ring", paramLabel = "FILE", description = "the ring configuration (default: ~/.ostore/data/ring.conf)")
        Path ring;

        @Option(names = "--json", description = "print one JSON object per storage node, one per line")
        boolean json;

        @Override
        public Integer call() throws IOException {
            Path file = ring != null ? ring : ClientOptions.defaultRingFile();
            RingSpec s = ClientOptions.loadRing(file);
            PrintWriter out = spec.commandLine().getOut();
            if (!s.archives()) {
                if (!json) {
                    out.println("archive disabled: " + file + " lists no storage nodes");
                }
                return Main.OK;
            }
            if (!json) {
                out.println(s.storageNodes().size() + " storage nodes in " + file);
            }
            int down = 0;
            for (RingSpec.StorageAddress node : s.storageNodes()) {
                try (RemoteFragmentStore store = RemoteFragmentStore.connect(node.target(), DEADLINE)) {
                    FragmentStore.Usage u = store.usage();
                    out.println(json
                            ? "{\"id\":" + node.id() + ",\"address\":\"" + node.target() + "\",\"up\":true,\"objects\":"
                                    + u.objects() + ",\"bytes\":" + u.bytes() + "}"
                            : "storage node " + node.id() + " " + node.target() + ": up, " + u.objects() + " objects, "
                                    + u.bytes() + " bytes");
                } catch (IOException e) {
                    down++;
                    // The gRPC code when the call failed, else (a node that broke the protocol) the message.
                    StatusRuntimeException failed = e.getCause() instanceof StatusRuntimeException sre ? sre : null;
                    String code = failed != null ? failed.getStatus().getCode().toString() : "PROTOCOL";
                    String detail = failed == null ? e.getMessage() : code
                            + (failed.getStatus().getDescription() == null ? "" : ": " + failed.getStatus().getDescription());
                    out.println(json
                            ? "{\"id\":" + node.id() + ",\"address\":\"" + node.target() + "\",\"up\":false,\"error\":\""
                                    + code + "\"}"
                            : "storage node " + node.id() + " " + node.target() + ": down (" + detail + ")");
                }
            }
            return down == 0 ? Main.OK : Main.FAILED;
        }
    }
}
