package ostore.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import ostore.api.v1.Comparison;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.VersionSelector;
import ostore.client.Actions;
import ostore.client.OstoreClient;
import ostore.client.Predicates;
import ostore.client.Selectors;
import ostore.client.UpdateResult;
import ostore.client.Updates;
import ostore.client.VerifiedVersion;
import ostore.crypto.Aguid;
import ostore.crypto.VersionRoot;
import ostore.node.Micros;

/**
 * The walk-through {@code ostore demo} prints: every step goes through the SDK over real gRPC, and
 * every version shown was verified by the client (VGUID, block list and bytes).
 */
final class Demo {
    private static final String NAME = "notes.txt";

    private final OstoreClient client;
    private final PrintWriter out;
    private final Aguid aguid;

    Demo(OstoreClient client, PrintWriter out) {
        this.client = client;
        this.out = out;
        this.aguid = client.aguidOf(NAME);
    }

    void run() {
        out.println("object \"" + NAME + "\" has AGUID " + aguid.hash().shortHex() + "... (hash of your key and the name)");
        step("create it with \"hello\\n\"", client.put(NAME, text("hello\n")));
        UpdateResult second = step("append \"world\\n\"", submit(Predicates.always(), "world\n"));
        step("if version = 2, append \"again\\n\"", submit(Predicates.version(Comparison.EQ, 2), "again\n"));
        step("if version = 2 (stale now), append \"lost\\n\"", submit(Predicates.version(Comparison.EQ, 2), "lost\n"));
        show("read version 1", Selectors.seq(1));
        show("read the latest", Selectors.latest());
        show("read as of version 2's time", Selectors.asOf(Micros.toInstant(second.root().timestampMicros())));
        out.println("history (every update, committed or aborted, is kept):");
        for (HistoryEntry e : client.history(aguid, 0, 0)) {
            out.print("  ");
            out.flush();
            new Output(out, false).entry(e);
        }
    }

    private UpdateResult submit(ostore.api.v1.Predicate predicate, String appended) {
        return client.submit(Updates.forObject(aguid).when(predicate).then(Actions.append(text(appended))).build());
    }

    private UpdateResult step(String what, UpdateResult result) {
        String outcome = result.committed()
                ? "committed " + Output.describe(result.root())
                : "aborted: " + result.entry().getAbortReason() + "; latest stays seq " + result.root().seq();
        out.printf("%-48s -> %s%n", what, outcome);
        return result;
    }

    private void show(String what, VersionSelector selector) {
        VerifiedVersion v = client.read(aguid, selector);
        VersionRoot root = v.root();
        String content = new String(v.data(), StandardCharsets.UTF_8).replace("\n", "\\n");
        out.printf("%-48s -> seq %d: \"%s\"%n", what, root.seq(), content);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
