package ostore.node.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import ostore.api.v1.VersionSelector;
import ostore.client.OstoreClient;
import ostore.client.RingSpec;
import ostore.client.Selectors;
import ostore.client.VerifiedVersion;
import ostore.crypto.Aguid;
import ostore.crypto.Certificate;
import ostore.crypto.Vguid;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "get", mixinStandardHelpOptions = true, description = "Read a version (the latest unless selected), verified end to end.")
final class GetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "NAME|AGUID", description = "a name under your key, or a 64-hex AGUID")
    String object;

    @ArgGroup(exclusive = true)
    Which which;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write the bytes here instead of stdout")
    Path output;

    @Option(names = "--verify", description = "show the ring certificate the version was checked against "
            + "(every ring read checks it; this says so, on stderr, and refuses a node reached by --server alone, whose certificates it has no keys to check)")
    boolean verify;

    static final class Which {
        @Option(names = "--seq", paramLabel = "N", description = "version number")
        Long seq;

        @Option(names = "--vguid", paramLabel = "V", description = "version GUID, 64 hex digits")
        String vguid;

        @Option(names = "--as-of", paramLabel = "TIME", description = "the version current at TIME (ISO-8601, e.g. 2026-11-21T10:00:00Z)")
        String asOf;
    }

    @Override
    public Integer call() throws IOException {
        if (client.json && output == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--json needs -o FILE: stdout carries the JSON");
        }
        VersionSelector selector = selector();
        try (OstoreClient c = client.connect(spec.commandLine().getErr())) {
            if (verify && c.ring().isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--verify needs a ring (--ring FILE): a node reached by --server alone gives no keys to check its certificates");
            }
            Aguid aguid = ClientOptions.resolve(c, object);
            VerifiedVersion version = output == null ? toStdout(c, aguid, selector) : toFile(c, aguid, selector);
            if (output != null) {
                new Output(spec.commandLine().getOut(), client.json).version(version.root());
            }
            if (verify) {
                report(c.ring().orElseThrow(), version);
            }
            return Main.OK;
        }
    }

    /** What was checked, on stderr so that stdout keeps only the object's bytes. */
    private void report(RingSpec ring, VerifiedVersion v) {
        Certificate cert = v.certificate();
        PrintWriter err = spec.commandLine().getErr();
        err.println("verified: version " + v.root().seq() + " of " + v.root().aguid().toHex() + ", VGUID "
                + v.vguid().hash().toHex() + ", " + v.blocks().size() + " blocks hashed to their BGUIDs");
        err.println("verified: certificate of ring epoch " + cert.statement().epoch() + ", color "
                + cert.statement().color() + " batch " + cert.statement().seqno() + ", signed by replicas "
                + cert.signatures().stream().map(Certificate.Signature::signer).toList() + " (" + cert.signatures().size()
                + " of " + ring.n() + "; 2f+1 = " + ring.quorum() + " needed), timestamp "
                + Instant.EPOCH.plus(cert.leaf().timestampMicros(), ChronoUnit.MICROS));
    }

    private VerifiedVersion toStdout(OstoreClient c, Aguid aguid, VersionSelector selector) throws IOException {
        spec.commandLine().getOut().flush();
        OutputStream out = ((Main) spec.root().userObject()).stdout();
        VerifiedVersion version = c.readTo(aguid, selector, out);
        out.flush();
        return version;
    }

    /** Written beside the target and renamed, so FILE never holds a partial or unverified version. */
    private VerifiedVersion toFile(OstoreClient c, Aguid aguid, VersionSelector selector) throws IOException {
        Path target = output.toAbsolutePath();
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            VerifiedVersion version;
            try (OutputStream out = Files.newOutputStream(partial)) {
                version = c.readTo(aguid, selector, out);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return version;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private VersionSelector selector() {
        if (which == null) {
            return Selectors.latest();
        }
        try {
            if (which.seq != null) {
                return Selectors.seq(which.seq);
            }
            if (which.vguid != null) {
                return Selectors.vguid(Vguid.fromHex(which.vguid));
            }
            return Selectors.asOf(Instant.parse(which.asOf));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
