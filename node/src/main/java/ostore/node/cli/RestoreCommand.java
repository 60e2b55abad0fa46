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
import ostore.api.Protos;
import ostore.api.v1.ArchiveGrpc;
import ostore.api.v1.ArchiveState;
import ostore.api.v1.ArchiveStatusReply;
import ostore.api.v1.ArchiveStatusRequest;
import ostore.api.v1.VersionArchiveState;
import ostore.archive.CertificateChecker;
import ostore.archive.CorruptFragment;
import ostore.archive.Progress;
import ostore.archive.RingCertificateChecker;
import ostore.client.RingSpec;
import ostore.crypto.Aguid;
import ostore.node.archive.ReplicaRestore;
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

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Rebuild versions of an object from the deep archive alone: any k good fragments per stripe, every"
                + " fragment, block and certificate checked (against the ring file's keys) before anything is written.",
            "Runs here against the storage nodes the ring file lists, so it works with every replica gone. Each output"
                + " file appears only once its version is complete and verified; with fewer than k good fragments the"
                + " restore fails naming the stripe and writes nothing. Exits 3 on failure."})
final class RestoreCommand implements Callable<Integer> {
    /** A restore through a replica may move a large version: an hour, not the usual seconds. */
    static final long REPLICA_DEADLINE_SECONDS = 3600;

    @Spec
    CommandSpec spec;

    @Mixin
    ArchiveTarget target;

    @Parameters(paramLabel = "NAME|AGUID", description = "the object: a name under your key or a 64-hex AGUID")
    String object;

    @ArgGroup(exclusive = true)
    Which which;

    static final class Which {
        @Option(names = "--seq", paramLabel = "N", description = "this version (default: the latest archived)")
        Long seq;

        @Option(names = "--all", description = "every archived version, seq 1 upward (needs --out-dir)")
        boolean all;
    }

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write the version's bytes here")
    Path output;

    @Option(names = "--out-dir", paramLabel = "DIR", description = "write version N to DIR/seq-N")
    Path outDir;

    @Option(names = "--write-back", description = "refused: a replica's store is rebuilt from the archive as a whole,"
            + " with the replica stopped (ostore rebuild; docs/operations.md)")
    boolean writeBack;

    @Option(names = "--json", description = "print one JSON report per version restored, one per line")
    boolean json;

    @Option(names = "--replica", paramLabel = "ID", description = "run the restore on this replica (Archive/Restore)"
            + " and check what it streams here, instead of reading the storage nodes from here")
    Integer replica;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        if (writeBack) {
            throw new CommandLine.ParameterException(cl, "--write-back: archived versions are not written into a"
                    + " running replica one object at a time, since every replica must install the same versions in the"
                    + " same order to agree on its store digest; to rebuild lost version data stop the ring and run"
                    + " `ostore rebuild --config FILE --data DIR` on every replica (docs/operations.md, \"Disaster"
                    + " recovery\"); to get the bytes, restore to files with -o or --out-dir");
        }
        boolean all = which != null && which.all;
        if ((output == null) == (outDir == null)) {
            throw new CommandLine.ParameterException(cl, "give exactly one of -o FILE and --out-dir DIR");
        }
        if (all && output != null) {
            throw new CommandLine.ParameterException(cl, "--all restores several versions: use --out-dir DIR");
        }
        RingSpec s = target.loadRing();
        Aguid aguid = target.aguid(object);
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        if (replica != null) {
            if (replica < 0 || replica >= s.n()) {
                throw new CommandLine.ParameterException(cl, "--replica " + replica + ": the ring has replicas 0.."
                        + (s.n() - 1));
            }
            return viaReplica(s, aguid, all, out, err);
        }
        try (RingStorage storage = RingStorage.connect(s, RemoteFragmentStore.DEFAULT_DEADLINE)) {
            VersionRestore r = new VersionRestore(storage);
            long first;
            long last;
            if (which != null && which.seq != null) {
                if (which.seq < 1) {
                    throw new CommandLine.ParameterException(cl, "--seq " + which.seq + ": versions start at 1");
                }
                first = last = which.seq;
            } else {
                last = r.latestArchived(aguid);
                if (last == 0) {
                    throw new IOException("no archived version of " + aguid.toHex() + " on the storage nodes of "
                            + target.ringFile());
                }
                first = all ? 1 : last;
            }
            for (long seq = first; seq <= last; seq++) {
                Path file = output != null ? output : outDir.resolve("seq-" + seq);
                Progress bar = json ? Progress.NONE : ProgressBar.forTerminal(err, "seq " + seq);
                VersionRestore.Restored done = r.restoreToFile(aguid, seq, file, bar);
                out.println(json ? json(aguid, seq, done) : describe(seq, done, storage));
            }
        }
        return Main.OK;
    }

    private int viaReplica(RingSpec s, Aguid aguid, boolean all, PrintWriter out, PrintWriter err) throws IOException {
        RingSpec.Member m = s.replicas().get(replica);
        ManagedChannel channel = Grpc.newChannelBuilder(m.target(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(64 << 20).build();
        try {
            CertificateChecker checker = new RingCertificateChecker(s.keys(), s.f());
            long first;
            long last;
            if (which != null && which.seq != null) {
                first = last = which.seq;
            } else {
                // The replica's own view of the object: its latest archived version (the latest 64 are looked at).
                ArchiveStatusReply status;
                try {
                    status = ArchiveGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .status(ArchiveStatusRequest.newBuilder().setAguid(Protos.toByteString(aguid)).build());
                } catch (StatusRuntimeException e) {
                    throw new IOException("replica " + replica + " " + m.target() + ": " + e.getStatus().getCode()
                            + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()), e);
                }
                last = status.getVersionsList().stream().filter(v -> v.getState() == ArchiveState.ARCHIVED)
                        .mapToLong(VersionArchiveState::getSeq).max().orElse(0);
                if (last == 0) {
                    throw new IOException("replica " + replica + " knows no archived version of " + aguid.toHex()
                            + " among its latest " + status.getVersionsCount() + " (latest seq " + status.getLatestSeq() + ")");
                }
                first = all ? 1 : last;
            }
            for (long seq = first; seq <= last; seq++) {
                Path file = output != null ? output : outDir.resolve("seq-" + seq);
                Progress bar = json ? Progress.NONE : ProgressBar.forTerminal(err, "seq " + seq);
                ReplicaRestore.Restored r = ReplicaRestore.restore(channel, checker, aguid, seq, file, bar,
                        REPLICA_DEADLINE_SECONDS);
                out.println(json ? JsonFormat.printer().omittingInsignificantWhitespace().print(r.summary())
                        : "restored seq " + r.root().seq() + " vguid " + r.vguid().hash().shortHex() + " (" + r.root().size()
                                + " bytes) to " + file + " through replica " + replica + ", checked here; "
                                + r.summary().getFragmentsFetched() + " fragments, " + r.summary().getCorruptCount()
                                + " corrupt skipped, storage nodes down " + r.summary().getNodesDownList());
            }
            return Main.OK;
        } finally {
            channel.shutdownNow();
        }
    }

    private static String describe(long seq, VersionRestore.Restored r, RingStorage storage) {
        StringBuilder t = new StringBuilder("restored seq " + seq + " vguid " + r.report().vguid().hash().shortHex()
                + " (" + r.report().bytes() + " bytes, " + r.report().blocks() + " blocks) to " + r.file() + " from "
                + r.report().fragmentsFetched() + " fragments");
        for (CorruptFragment c : r.report().corrupt()) {
            t.append("\n  corrupt fragment skipped on storage node ").append(c.node()).append(" ")
                    .append(storage.target(c.node())).append(": ").append(c.name().shortHex()).append(" ").append(c.reason());
        }
        if (!r.report().nodesDown().isEmpty()) {
            t.append("\n  storage nodes down: ").append(r.report().nodesDown());
        }
        if (r.report().located().any()) {
            t.append("\n  ").append(LocatedText.text(r.report().located()));
        }
        return t.toString();
    }

    private static String json(Aguid aguid, long seq, VersionRestore.Restored r) {
        StringBuilder t = new StringBuilder("{\"aguid\":\"" + aguid.toHex() + "\",\"seq\":" + seq + ",\"vguid\":\""
                + r.report().vguid().hash().toHex() + "\",\"file\":" + quote(r.file().toString()) + ",\"bytes\":"
                + r.report().bytes() + ",\"blocks\":" + r.report().blocks() + ",\"manifest\":\""
                + r.report().manifestName().toHex() + "\",\"fragmentsFetched\":" + r.report().fragmentsFetched()
                + ",\"corrupt\":[");
        for (int i = 0; i < r.report().corrupt().size(); i++) {
            CorruptFragment c = r.report().corrupt().get(i);
            t.append(i == 0 ? "" : ",").append("{\"node\":").append(c.node()).append(",\"name\":\"")
                    .append(c.name().toHex()).append("\",\"reason\":").append(quote(c.reason())).append("}");
        }
        t.append("],\"nodesDown\":[");
        for (int i = 0; i < r.report().nodesDown().size(); i++) {
            t.append(i == 0 ? "" : ",").append(r.report().nodesDown().get(i));
        }
        return t.append("],\"located\":").append(LocatedText.json(r.report().located())).append('}').toString();
    }

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
