package ostore.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import ostore.client.RingFile;
import ostore.client.RingSpec;
import ostore.node.storage.StorageNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "storage", mixinStandardHelpOptions = true,
        description = {"Run one storage node of the deep archive as this process, until SIGTERM or Ctrl-C.",
            "It keeps archive objects (fragments and manifests) in DIR under their hash names; list its address in"
                + " the ring configuration ('storage ID HOST:PORT') so replicas and clients find it."})
final class StorageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "this storage node's data directory")
    Path dir;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
            description = "the address to serve on ([::1]:PORT for IPv6; port 0 picks a free one)")
    String listen;

    @Option(names = "--ring", paramLabel = "FILE",
            description = {"the ring configuration; if given, the node accepts into its index only archive entries"
                + " whose certificate this ring's replicas signed for that version (otherwise any value up to the size"
                + " limit, and anyone could fill a version's index before it commits)"})
    Path ring;

    @Override
    public Integer call() throws IOException, InterruptedException {
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen '" + listen + "' must be HOST:PORT");
        }
        String host = listen.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen '" + listen
                    + "': the port must be a number in 0..65535");
        }
        StorageNode node;
        if (ring == null) {
            node = StorageNode.start(dir, host, port);
        } else {
            RingSpec spec = RingFile.load(ring);
            node = StorageNode.start(dir, host, port, spec.keys(), spec.f());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("ostore storage node listening on " + node.address() + ", data in " + dir
                + (ring == null ? "" : ", index entries checked against the ring in " + ring));
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        // On SIGTERM or SIGINT: drain calls in flight (every put that completes is durable), then exit.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("ostore-shutdown").unstarted(() -> {
            node.close();
            spec.commandLine().getOut().println("ostore storage node stopped; data in " + dir + " is consistent");
            stopped.countDown();
        }));
        stopped.await();
        return Main.OK;
    }
}
