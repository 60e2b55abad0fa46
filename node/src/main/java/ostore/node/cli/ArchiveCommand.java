package ostore.node.cli;

import com.google.protobuf.util.JsonFormat;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import ostore.api.Protos;
import ostore.api.v1.ArchiveBacklog;
import ostore.api.v1.ArchiveGrpc;
import ostore.api.v1.ArchiveState;
import ostore.api.v1.ArchiveStatusReply;
import ostore.api.v1.ArchiveStatusRequest;
import ostore.api.v1.RestoreCorrupt;
import ostore.api.v1.ScrubRepair;
import ostore.api.v1.ScrubVersion;
import ostore.api.v1.VersionArchiveState;
import ostore.archive.ArchiveException;
import ostore.archive.store.FragmentStore;
import ostore.client.RingSpec;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import ostore.node.archive.ArchiveInspector;
import ostore.node.archive.ArchiveService;
import ostore.node.archive.RingStorage;
import ostore.node.archive.VersionRestore;
import ostore.node.storage.RemoteFragmentStore;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "archive", mixinStandardHelpOptions = true, description = "Inspect the deep archive.",
        subcommands = {ArchiveCommand.Nodes.class, ArchiveCommand.Status.class, ArchiveCommand.Scrub.class})
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

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Show each replica's archive backlog and, for an object, every version's archive state:"
                    + " archived (manifest, fragments on their placed nodes / total), pending or failed (with the reason).",
                "A version counts as archived when a verified manifest of it is on the storage nodes. With no replica"
                    + " answering, the storage nodes are asked directly. Exits 3 when no replica answers and no object"
                    + " is named, or some version is not archived."})
    static final class Status implements Callable<Integer> {
        static final long DEADLINE_SECONDS = 30;
        // Every field, zeros included: a script reading "pending" or "replica" should not have to know proto3 omits 0.
        private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace()
                .alwaysPrintFieldsWithNoPresence();

        @Spec
        CommandSpec spec;

        @Mixin
        ArchiveTarget target;

        @Parameters(arity = "0..1", paramLabel = "NAME|AGUID", description = "an object: a name under your key or a 64-hex AGUID")
        String object;

        @Option(names = "--from", paramLabel = "SEQ", description = "the first version to report (default: the"
                + " latest LIMIT versions)")
        long from;

        @Option(names = "--limit", paramLabel = "LIMIT", defaultValue = "64",
                description = "most versions to report, 1..4096 (default: ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--json", description = "one JSON object per line: ArchiveBacklog per replica, then"
                + " VersionArchiveState per version (field names as in archive.proto)")
        boolean json;

        @Override
        public Integer call() throws IOException {
            RingSpec s = target.loadRing();
            Aguid aguid = object == null ? null : target.aguid(object);
            PrintWriter out = spec.commandLine().getOut();
            ArchiveStatusRequest.Builder request = ArchiveStatusRequest.newBuilder();
            if (aguid != null) {
                if (limit < 1 || limit > ArchiveService.MAX_STATUS_LIMIT || from < 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be in 1.."
                            + ArchiveService.MAX_STATUS_LIMIT + " and --from >= 0");
                }
                request.setAguid(Protos.toByteString(aguid)).setFromSeq(from).setLimit(limit);
            }
            Map<Long, VersionArchiveState> merged = new TreeMap<>();
            int answered = 0;
            for (RingSpec.Member m : s.replicas()) {
                ManagedChannel channel = Grpc.newChannelBuilder(m.target(), InsecureChannelCredentials.create()).build();
                try {
                    ArchiveStatusReply r = ArchiveGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).status(request.build());
                    answered++;
                    ArchiveBacklog b = r.getBacklog().toBuilder().setReplica(m.id()).build();
                    out.println(json ? JSON.print(b) : describe(m, r.getEnabled(), b));
                    for (VersionArchiveState v : r.getVersionsList()) {
                        merged.merge(v.getSeq(), v, Status::better);
                    }
                } catch (StatusRuntimeException e) {
                    out.println(json ? "{\"replica\":" + m.id() + ",\"error\":\"" + e.getStatus().getCode() + "\"}"
                            : "replica " + m.id() + " " + m.target() + ": no answer (" + e.getStatus().getCode()
                                    + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()) + ")");
                } finally {
                    channel.shutdownNow();
                }
            }
            if (aguid == null) {
                return answered > 0 ? Main.OK : Main.FAILED;
            }
            if (answered == 0) {
                if (!json) {
                    out.println("no replica answered; asking the storage nodes directly");
                }
                local(s, aguid, from, limit, merged);
            }
            boolean all = true;
            for (VersionArchiveState v : merged.values()) {
                all &= v.getState() == ArchiveState.ARCHIVED && v.getReason().isEmpty();
                out.println(json ? JSON.print(v.toBuilder()) : aguid.toHex() + " " + describe(v));
            }
            if (merged.isEmpty() && !json) {
                out.println(aguid.toHex() + ": no versions");
            }
            return all ? Main.OK : Main.FAILED;
        }

        /** The storage nodes' view alone: each version they hold a verified manifest of, seq 1 upward. */
        private static void local(RingSpec s, Aguid aguid, long from, int limit, Map<Long, VersionArchiveState> into)
                throws IOException {
            try (RingStorage storage = RingStorage.connect(s, Duration.ofSeconds(DEADLINE_SECONDS))) {
                long latest = new VersionRestore(storage).latestArchived(aguid);
                ArchiveInspector inspector = new ArchiveInspector(storage);
                long first = from == 0 ? Math.max(1, latest - limit + 1) : from;
                for (long seq = first; seq <= latest && seq < first + limit; seq++) {
                    VersionArchiveState.Builder v = VersionArchiveState.newBuilder().setSeq(seq);
                    try {
                        ArchiveInspector.Archived a = inspector.inspect(aguid, seq);
                        v.setState(ArchiveState.ARCHIVED).setManifestName(Protos.toByteString(a.manifestName()))
                                .setK(a.k()).setM(a.m()).setArchivedBytes(a.archivedBytes())
                                .setFragmentsPlaced(a.fragmentsPlaced()).setFragmentsTotal(a.fragmentsTotal())
                                .addAllNodesDown(a.nodesDown());
                    } catch (ArchiveException e) {
                        v.setState(ArchiveState.NOT_QUEUED).setReason(e.getMessage());
                    }
                    into.put(seq, v.build());
                }
            }
        }

        /** Archived beats failed beats pending beats unknown; among equals, the designated replica's word. */
        static VersionArchiveState better(VersionArchiveState a, VersionArchiveState b) {
            int ra = rank(a);
            int rb = rank(b);
            if (ra != rb) {
                return ra > rb ? a : b;
            }
            return b.getDesignated() && !a.getDesignated() ? b : a;
        }

        private static int rank(VersionArchiveState v) {
            return switch (v.getState()) {
                case ARCHIVED -> v.getReason().isEmpty() ? 5 : 4;
                case FAILED -> 3;
                case PENDING -> 2;
                case NOT_QUEUED -> 1;
                default -> 0;
            };
        }

        private static String describe(RingSpec.Member m, boolean enabled, ArchiveBacklog b) {
            if (!enabled) {
                return "replica " + m.id() + " " + m.target() + ": archive disabled";
            }
            StringBuilder t = new StringBuilder("replica " + m.id() + " " + m.target() + ": " + b.getPending()
                    + " pending");
            if (b.getPending() > 0) {
                t.append(", oldest ").append(String.format("%.1f", b.getOldestAgeMillis() / 1000.0)).append(" s");
            }
            if (b.getFailing() > 0) {
                t.append(", ").append(b.getFailing()).append(" failing: ").append(b.getLastError());
            }
            t.append(" (archived ").append(b.getArchived()).append(", found archived by others ")
                    .append(b.getFoundArchived()).append(", failed attempts ").append(b.getFailures());
            if (b.getEnqueueFailures() > 0) {
                t.append(", NOT QUEUED after a local error: ").append(b.getEnqueueFailures());
            }
            return t.append(")").toString();
        }

        static String describe(VersionArchiveState v) {
            String seq = "seq " + v.getSeq() + ": ";
            return switch (v.getState()) {
                case ARCHIVED -> seq + "archived, manifest " + Hash32.of(v.getManifestName().toByteArray()).shortHex()
                        + ", " + v.getFragmentsPlaced() + "/" + v.getFragmentsTotal() + " fragments placed"
                        + (v.getK() == 0 ? "" : " (k = " + v.getK() + ", m = " + v.getM() + ")")
                        + ", " + v.getArchivedBytes() + " bytes archived"
                        + (v.getNodesDownCount() == 0 ? "" : ", storage nodes down " + v.getNodesDownList())
                        + (v.getReason().isEmpty() ? "" : "; " + v.getReason());
                case PENDING -> seq + "pending for " + String.format("%.1f", v.getQueuedAgeMillis() / 1000.0) + " s";
                case FAILED -> seq + "failed " + v.getAttempts() + " time(s), will retry: " + v.getReason();
                case NOT_QUEUED -> seq + "not archived, not queued: " + v.getReason();
                default -> seq + v.getState();
            };
        }
    }

    @Command(name = "scrub", mixinStandardHelpOptions = true,
            description = {"Check every fragment of an object's archived version (the latest, --seq N, or --all of them)"
                    + " on the storage nodes and regenerate missing or corrupt ones onto healthy nodes. Without an object,"
                    + " --all scrubs every archived version the storage nodes hold (it reads every object to find them).",
                "Runs here, against the storage nodes the ring file lists. Exits 3 when a stripe is lost (fewer than k"
                    + " good fragments) or a repair found no node."})
    static final class Scrub implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ArchiveTarget target;

        @Parameters(arity = "0..1", paramLabel = "NAME|AGUID", description = "the object: a name under your key or a 64-hex AGUID")
        String object;

        @ArgGroup(exclusive = true)
        Which which;

        static final class Which {
            @Option(names = "--seq", paramLabel = "N", description = "this version only")
            Long seq;

            @Option(names = "--all", description = "every archived version of the object (of every object when none is named)")
            boolean all;
        }

        @Option(names = "--json", description = "one ScrubVersion JSON object per version (archive.proto)")
        boolean json;

        @Override
        public Integer call() throws IOException {
            boolean all = which != null && which.all;
            if (object == null && !all) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "name an object, or give --all to scrub every archived version on the storage nodes");
            }
            RingSpec s = target.loadRing();
            PrintWriter out = spec.commandLine().getOut();
            if (object == null) {
                return scrubEverything(s, out);
            }
            Aguid aguid = target.aguid(object);
            try (RingStorage storage = RingStorage.connect(s, RemoteFragmentStore.DEFAULT_DEADLINE)) {
                VersionRestore r = new VersionRestore(storage);
                long first;
                long last;
                if (which != null && which.seq != null) {
                    first = last = which.seq;
                } else {
                    last = r.latestArchived(aguid);
                    if (last == 0) {
                        throw new IOException("no archived version of " + aguid.toHex() + " on the storage nodes");
                    }
                    first = which != null && which.all ? 1 : last;
                }
                boolean healthy = true;
                for (long seq = first; seq <= last; seq++) {
                    ArchiveService.Scrubbed x = ArchiveService.scrubReported(r, aguid, seq);
                    ScrubVersion v = x.wire();
                    healthy &= v.getError().isEmpty() && v.getLostStripesCount() == 0 && v.getUnplacedCount() == 0
                            && v.getProblemsCount() == 0;
                    out.println(json ? json(x) : describe(aguid, x, storage));
                }
                return healthy ? Main.OK : Main.FAILED;
            }
        }

        private int scrubEverything(RingSpec s, PrintWriter out) throws IOException {
            try (RingStorage storage = RingStorage.connect(s, RemoteFragmentStore.DEFAULT_DEADLINE)) {
                VersionRestore r = new VersionRestore(storage);
                Set<Integer> down = new TreeSet<>();
                boolean healthy = true;
                for (VersionRestore.ArchivedVersion v : r.findArchived(down)) {
                    ArchiveService.Scrubbed done = ArchiveService.scrubReported(r, v.aguid(), v.seq());
                    ScrubVersion x = done.wire();
                    healthy &= x.getError().isEmpty() && x.getLostStripesCount() == 0 && x.getUnplacedCount() == 0
                            && x.getProblemsCount() == 0;
                    out.println(json ? json(done) : describe(v.aguid(), done, storage));
                }
                if (!down.isEmpty() && !json) {
                    out.println("storage nodes that did not answer while listing: " + down);
                }
                return healthy && down.isEmpty() ? Main.OK : Main.FAILED;
            }
        }

        /**
         * The {@code ScrubVersion} message as JSON, with one more member the message does not carry:
         * {@code "located"}, how fragments away from their placed nodes were found.
         */
        private static String json(ArchiveService.Scrubbed x) throws IOException {
            String wire = Status.JSON.print(x.wire());
            if (x.report() == null) {
                return wire;
            }
            // The printer's output is one JSON object; the member goes in before its closing brace.
            String body = wire.substring(0, wire.length() - 1);
            return body + (body.endsWith("{") ? "" : ",") + "\"located\":" + LocatedText.json(x.report().located()) + "}";
        }

        private static String describe(Aguid aguid, ArchiveService.Scrubbed x, RingStorage storage) {
            ScrubVersion v = x.wire();
            String head = aguid.toHex() + " seq " + v.getSeq() + ": ";
            if (!v.getError().isEmpty()) {
                return head + "cannot scrub: " + v.getError();
            }
            StringBuilder t = new StringBuilder(head + v.getStripes() + " stripes, " + v.getFragmentsGood()
                    + " fragments good, " + v.getRepairedCount() + " repaired");
            for (int i = 0; i < v.getRepairedCount(); i++) {
                ScrubRepair r = v.getRepaired(i);
                boolean sharing = x.report() != null && x.report().repaired().get(i).sharing();
                t.append("\n  repaired stripe ").append(r.getStripe()).append(" shard ").append(r.getShard())
                        .append(" onto storage node ").append(r.getNode()).append(" ").append(storage.target(r.getNode()));
                if (r.getRelocated() && sharing) {
                    t.append(" (relocated; every node up already held a fragment of this stripe, so this one holds two"
                            + " until its placed node is back and scrubbed)");
                } else if (r.getRelocated()) {
                    t.append(" (relocated)");
                }
            }
            for (ScrubRepair r : v.getUnplacedList()) {
                t.append("\n  NOT placed: stripe ").append(r.getStripe()).append(" shard ").append(r.getShard())
                        .append(" (no healthy node would take it)");
            }
            for (long lost : v.getLostStripesList()) {
                t.append("\n  LOST: stripe ").append(lost).append(" has fewer than k good fragments");
            }
            for (RestoreCorrupt c : v.getCorruptList()) {
                t.append("\n  corrupt on storage node ").append(c.getNode()).append(": ")
                        .append(Hash32.of(c.getName().toByteArray()).shortHex()).append(" ").append(c.getReason());
            }
            if (v.getNodesDownCount() > 0) {
                t.append("\n  storage nodes down: ").append(v.getNodesDownList());
            }
            if (x.report() != null && x.report().located().any()) {
                t.append("\n  ").append(LocatedText.text(x.report().located()));
            }
            if (v.getManifestCopiesAdded() + v.getIndexEntriesAdded() > 0) {
                t.append("\n  manifest copies restored: ").append(v.getManifestCopiesAdded()).append(", index entries: ")
                        .append(v.getIndexEntriesAdded());
            }
            v.getProblemsList().forEach(p -> t.append("\n  problem: ").append(p));
            return t.toString();
        }
    }
}
