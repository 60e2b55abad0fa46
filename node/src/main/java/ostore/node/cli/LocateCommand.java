package ostore.node.cli;

import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import ostore.client.RingSpec;
import ostore.crypto.Hash32;
import ostore.node.storage.StorageRouting;
import ostore.routing.NodeId;
import ostore.routing.locate.Route;
import ostore.routing.net.LocateClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ostore locate GUID}: one storage node runs a routing lookup as its origin and the route
 * is printed, so an operator sees what the filters and the fallback do for a real name (a
 * fragment or manifest name, as {@code ostore archive} and the storage nodes' listings show).
 */
@Command(name = "locate", mixinStandardHelpOptions = true,
        description = {"Ask a storage node to find which storage node holds an archive object (a fragment or manifest"
                + " name, 64 hex digits) through the routing layer, and print the route: filters consulted, hops,"
                + " messages, whether the fallback was needed, the holder.",
            "Exits 3 when no holder is found or no storage node answers."})
final class LocateCommand implements Callable<Integer> {
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");
    /** A lookup costs at most a few call deadlines (2 s) per node it tries; this bounds a slow one. */
    static final Duration DEADLINE = Duration.ofSeconds(60);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "GUID", description = "the object's name, 64 hex digits")
    String guid;

    @Option(names = {"--ring", "--config"}, paramLabel = "FILE",
            description = "the ring configuration (default: ~/.ostore/data/ring.conf)")
    Path ring;

    @Option(names = "--from", paramLabel = "NODE",
            description = "the storage node (its id in the ring file) that runs the lookup (default: the first that answers)")
    Integer from;

    @Option(names = "--json", description = "print the route as one JSON object")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (!HEX.matcher(guid).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "GUID '" + guid + "' must be 64 hex digits");
        }
        Hash32 name = Hash32.fromHex(guid);
        Path file = ring != null ? ring : ClientOptions.defaultRingFile();
        RingSpec s = ClientOptions.loadRing(file);
        if (!s.archives()) {
            throw new IOException("archive disabled: " + file + " lists no storage nodes, so there is nothing to locate");
        }
        if (!s.storageKeysKnown()) {
            throw new IOException(file + " gives no routing keys for its storage nodes (format 2), so they do not route;"
                    + " `ostore up` records them (format 3)");
        }
        if (from != null && (from < 0 || from >= s.storageNodes().size())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from " + from + ": " + file + " lists "
                    + s.storageNodes().size() + " storage nodes (ids 0.." + (s.storageNodes().size() - 1) + ")");
        }
        List<RingSpec.StorageAddress> origins = from != null ? List.of(s.storageNodes().get(from)) : s.storageNodes();
        PrintWriter err = spec.commandLine().getErr();
        List<String> failures = new ArrayList<>();
        for (RingSpec.StorageAddress origin : origins) {
            Route route;
            try {
                route = LocateClient.locate(origin.target(), name, DEADLINE);
            } catch (StatusRuntimeException e) {
                String why = "storage node " + origin.id() + " " + origin.target() + ": " + e.getStatus().getCode()
                        + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription());
                failures.add(why);
                if (from == null) {
                    err.println("ostore: " + why + "; trying the next storage node");
                }
                continue;
            }
            print(route, origin, StorageRouting.storageIds(s), s);
            if (route.found().isEmpty()) {
                err.println("ostore: not found: no storage node holds " + name.toHex() + " (the filters"
                        + (route.usedFallback() ? " and " + route.rootsAsked() + " rendezvous roots" : "")
                        + " led to no holder)");
                return Main.FAILED;
            }
            return Main.OK;
        }
        throw new IOException("no storage node could run the lookup: " + String.join("; ", failures));
    }

    private void print(Route r, RingSpec.StorageAddress origin, Map<NodeId, Integer> ids, RingSpec s) {
        PrintWriter out = spec.commandLine().getOut();
        List<String> path = r.path().stream().map(n -> name(n, ids)).toList();
        if (json) {
            StringBuilder b = new StringBuilder();
            b.append("{\"guid\":\"").append(r.guid().toHex()).append("\",\"from\":").append(origin.id())
                    .append(",\"found\":").append(r.found().isPresent());
            r.found().ifPresent(h -> {
                b.append(",\"holder\":").append(jsonName(h, ids));
                Integer id = ids.get(h);
                if (id != null) {
                    b.append(",\"holderAddress\":\"").append(s.storageNodes().get(id).target()).append('"');
                }
            });
            b.append(",\"path\":[");
            for (int i = 0; i < r.path().size(); i++) {
                b.append(i == 0 ? "" : ",").append(jsonName(r.path().get(i), ids));
            }
            b.append("],\"hops\":").append(r.hops()).append(",\"messages\":").append(r.messages())
                    .append(",\"filtersConsulted\":").append(r.filtersConsulted())
                    .append(",\"falsePositives\":").append(r.falsePositives())
                    .append(",\"usedFallback\":").append(r.usedFallback())
                    .append(",\"rootsAsked\":").append(r.rootsAsked()).append('}');
            out.println(b);
            return;
        }
        if (r.found().isPresent()) {
            NodeId h = r.found().get();
            Integer id = ids.get(h);
            out.println(r.guid().toHex() + " is held by " + name(h, ids)
                    + (id == null ? "" : " (" + s.storageNodes().get(id).target() + ")"));
        } else {
            out.println(r.guid().toHex() + ": no holder found");
        }
        out.println("lookup run by storage node " + origin.id() + ": Bloom path " + String.join(" -> ", path) + " ("
                + r.hops() + (r.hops() == 1 ? " hop" : " hops") + ", " + r.filtersConsulted() + " filters consulted, "
                + r.falsePositives() + " false positives)");
        out.println(r.usedFallback()
                ? "fallback needed: the filters led to no holder; " + r.rootsAsked() + " rendezvous roots answered"
                : "fallback not needed");
        out.println(r.messages() + (r.messages() == 1 ? " message" : " messages"));
    }

    private static String name(NodeId n, Map<NodeId, Integer> ids) {
        Integer id = ids.get(n);
        return id == null ? "routing node " + n : "storage node " + id;
    }

    /** A storage node by its ring-file id, or a node the file does not list by its routing id. */
    private static String jsonName(NodeId n, Map<NodeId, Integer> ids) {
        Integer id = ids.get(n);
        return id == null ? "\"" + n.hash().toHex() + "\"" : id.toString();
    }
}
