package ostore.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import ostore.client.RingSpec;
import ostore.crypto.SigningKey;
import ostore.node.storage.StorageNode;
import ostore.node.storage.StorageRouting;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "storage", mixinStandardHelpOptions = true,
        description = {"Run one storage node of the deep archive as this process, until SIGTERM or Ctrl-C.",
            "It keeps archive objects (fragments and manifests) in DIR under their hash names; list its address and"
                + " routing key in the ring configuration ('storage ID HOST:PORT ROUTING-KEY') so replicas and clients"
                + " find it and the other storage nodes route to it.",
            "With --ring and --id it also hosts the routing layer on the same port (ring file format 3)."})
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

    @Option(names = "--id", paramLabel = "N",
            description = {"this node's storage node id in the --ring file; with it the node hosts the routing layer"
                + " (`ostore locate`), if the file gives the storage nodes' routing keys"})
    Integer id;

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
        if (id != null && ring == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--id needs --ring FILE (the ring it is a node of)");
        }
        RingSpec ringSpec = ring == null ? null : ClientOptions.loadRing(ring);
        if (id != null && (id < 0 || id >= ringSpec.storageNodes().size())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--id " + id + ": " + ring + " lists "
                    + ringSpec.storageNodes().size() + " storage nodes (ids 0.." + (ringSpec.storageNodes().size() - 1) + ")");
        }
        // The key exists from the first start, so the operator can record it in the ring file.
        SigningKey routingKey = StorageRouting.loadOrCreateKey(dir);
        StorageNode node = ringSpec == null ? StorageNode.start(dir, host, port)
                : StorageNode.start(dir, host, port, ringSpec.keys(), ringSpec.f());
        boolean routes;
        try {
            routes = id != null && node.hostRouting(ringSpec, id, StorageRouting.gossipPeriod());
            node.startRouting();
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("ostore storage node listening on " + node.address() + ", data in " + dir
                + (ring == null ? "" : ", index entries checked against the ring in " + ring));
        out.println("routing key " + routingKey.publicKey().toHex() + (routes ? "; routing as storage node " + id
                : "; not routing (needs --ring with this node's key recorded, and --id)"));
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
