package ostore.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import ostore.archive.Progress;
import ostore.archive.RestoreReport;
import ostore.client.RingSpec;
import ostore.crypto.Aguid;
import ostore.node.archive.ArchiveRebuild;
import ostore.node.archive.RingStorage;
import ostore.node.archive.VersionRestore.ArchivedVersion;
import ostore.node.storage.RemoteFragmentStore;
import ostore.store.Limits;
import ostore.store.rocks.RocksVersionStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = {"Rebuild a stopped replica's version store from the deep archive alone, after the ring lost its"
                + " version data (every replica's, or more than f): every certified version on the storage nodes is"
                + " restored from its fragments, verified (certificate, manifest, fragments, BGUIDs, VGUID) and"
                + " installed, in an order every replica shares, so all reach the same store digest.",
            "DIR must hold no log/, archive/ or versions/ (move them aside) unless an earlier rebuild of it was cut"
                + " short, which running again finishes; the replica refuses to start until it has. Run it on every"
                + " replica, then start the ring. Exits 3 on failure."})
final class RebuildCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "the ring configuration (its storage nodes and replica keys)")
    Path config;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "the replica's data directory (ostore replica --data; DATA/replica-I under ostore up)")
    Path data;

    @Option(names = "--json", description = "one JSON line per version installed, then a summary line")
    boolean json;

    @Override
    public Integer call() throws IOException {
        RingSpec ring = ClientOptions.loadRing(config);
        if (!ring.archives()) {
            throw new IOException("archive disabled: " + config + " lists no storage nodes, so there is nothing to"
                    + " rebuild from");
        }
        checkDirectory();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ArchiveRebuild.markStarted(data);
        ArchiveRebuild.Report report;
        try (RingStorage storage = RingStorage.connect(ring, RemoteFragmentStore.DEFAULT_DEADLINE);
                RocksVersionStore store = RocksVersionStore.open(data.resolve("versions"), Limits.DEFAULT)) {
            report = ArchiveRebuild.run(ring, storage, store, new Lines(out, err));
        } catch (IOException | RuntimeException e) {
            throw new IOException("the rebuild of " + data + " from the archive failed: " + e.getMessage()
                    + "; versions installed so far are kept, and the replica will not start until `ostore rebuild`"
                    + " finishes (run it again once the cause is fixed)", e);
        }
        ArchiveRebuild.markFinished(data);
        out.println(json ? summaryJson(report) : summary(report));
        return Main.OK;
    }

    /** A rebuild fills an empty replica: one with a log or store of its own would contradict it. */
    private void checkDirectory() {
        List<String> taken = new ArrayList<>();
        for (String part : List.of("log", "archive")) {
            if (Files.exists(data.resolve(part))) {
                taken.add(data.resolve(part).toString());
            }
        }
        if (Files.exists(data.resolve("versions")) && !Files.exists(data.resolve(ArchiveRebuild.MARKER))) {
            taken.add(data.resolve("versions").toString());
        }
        if (!taken.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--data " + data + " holds " + String.join(
                    ", ", taken) + ": a rebuilt replica starts with a fresh log and an empty store, so move those aside"
                    + " first (a replica whose peers still hold the data needs no rebuild: wipe it and start it, and it"
                    + " fetches a snapshot from them)");
        }
    }

    private String summary(ArchiveRebuild.Report r) {
        StringBuilder t = new StringBuilder("rebuilt " + data + " from the archive: " + r.installed()
                + " versions installed (" + r.bytes() + " bytes), " + r.present() + " already there, "
                + r.objects() + " objects");
        for (ArchivedVersion v : r.uncertified()) {
            t.append("\n  skipped ").append(v.aguid().toHex()).append(" seq ").append(v.seq())
                    .append(": a manifest without a certified index entry (its archiving never finished)");
        }
        if (!r.nodesDown().isEmpty()) {
            t.append("\n  storage nodes down: ").append(r.nodesDown());
        }
        for (int color = 0; color < r.digests().size(); color++) {
            t.append("\n  color ").append(color).append(" store digest ").append(r.digests().get(color).toHex());
        }
        return t.append("\nevery replica rebuilt from this archive must show the same store digests").toString();
    }

    private static String summaryJson(ArchiveRebuild.Report r) {
        StringBuilder t = new StringBuilder("{\"installed\":" + r.installed() + ",\"present\":" + r.present()
                + ",\"bytes\":" + r.bytes() + ",\"objects\":" + r.objects() + ",\"skipped\":[");
        for (int i = 0; i < r.uncertified().size(); i++) {
            ArchivedVersion v = r.uncertified().get(i);
            t.append(i == 0 ? "" : ",").append("{\"aguid\":\"").append(v.aguid().toHex()).append("\",\"seq\":")
                    .append(v.seq()).append("}");
        }
        t.append("],\"nodesDown\":").append(r.nodesDown().toString().replace(" ", "")).append(",\"digests\":[");
        for (int i = 0; i < r.digests().size(); i++) {
            t.append(i == 0 ? "" : ",").append('"').append(r.digests().get(i).toHex()).append('"');
        }
        return t.append("]}").toString();
    }

    /** Progress as the rebuild goes: a plan line, then a line (or JSON object) per version. */
    private final class Lines implements ArchiveRebuild.Listener {
        private final PrintWriter out;
        private final PrintWriter err;
        private int total;
        private int done;

        Lines(PrintWriter out, PrintWriter err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public void planned(int versions, int objects, List<ArchivedVersion> uncertified, Set<Integer> nodesDown) {
            total = versions;
            if (!json) {
                out.println("rebuilding " + data + ": " + versions + " certified versions of " + objects
                        + " objects on the storage nodes" + (nodesDown.isEmpty() ? "" : ", storage nodes down "
                                + nodesDown));
                out.flush();
            }
        }

        @Override
        public Progress progress(Aguid aguid, long seq) {
            return json ? Progress.NONE : ProgressBar.forTerminal(err, aguid.hash().shortHex() + " seq " + seq);
        }

        @Override
        public void done(Aguid aguid, long seq, boolean installed, RestoreReport report) {
            done++;
            if (json) {
                out.println("{\"aguid\":\"" + aguid.toHex() + "\",\"seq\":" + seq + ",\"installed\":" + installed
                        + (report == null ? "" : ",\"vguid\":\"" + report.vguid().hash().toHex() + "\",\"bytes\":"
                                + report.bytes() + ",\"fragmentsFetched\":" + report.fragmentsFetched() + ",\"corrupt\":"
                                + report.corrupt().size() + ",\"located\":" + LocatedText.json(report.located())) + "}");
            } else {
                out.println("[" + done + "/" + total + "] " + aguid.toHex() + " seq " + seq + ": " + (!installed
                        ? "already installed" : "installed vguid " + report.vguid().hash().shortHex() + " ("
                                + report.bytes() + " bytes, " + report.fragmentsFetched() + " fragments"
                                + (report.corrupt().isEmpty() ? "" : ", " + report.corrupt().size() + " corrupt skipped")
                                + (report.nodesDown().isEmpty() ? "" : ", storage nodes down " + report.nodesDown())
                                + (report.located().any() ? ", " + LocatedText.text(report.located()) : "") + ")"));
            }
            out.flush();
        }
    }
}
