package ostore.node.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import ostore.client.OstoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ostore} command. Exit codes: {@value #OK} success, {@value #ABORTED} an update's
 * predicate did not hold, {@value #USAGE} bad command line, {@value #FAILED} the server refused or a
 * reply did not verify (the message is on stderr).
 */
@Command(
        name = "ostore",
        mixinStandardHelpOptions = true,
        version = "ostore 0.1.0",
        description = "A versioned, Byzantine-fault-tolerant object store.",
        subcommands = {
            KeygenCommand.class,
            UpCommand.class,
            ReplicaCommand.class,
            StorageCommand.class,
            RingCommand.class,
            ArchiveCommand.class,
            RestoreCommand.class,
            RebuildCommand.class,
            LocateCommand.class,
            PutCommand.class,
            GetCommand.class,
            UpdateCommand.class,
            HistoryCommand.class,
            WatchCommand.class,
            DemoCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    public static final int OK = 0;
    public static final int ABORTED = 1;
    public static final int USAGE = 2;
    public static final int FAILED = 3;

    private final PrintStream stdout;

    private Main(PrintStream stdout) {
        this.stdout = stdout;
    }

    public static void main(String[] args) {
        // One line per record instead of JUL's default two, unless the user chose a format.
        System.setProperty("java.util.logging.SimpleFormatter.format",
                System.getProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n"));
        System.exit(commandLine(System.out, System.err).execute(args));
    }

    /**
     * The command line writing to {@code out} and {@code err}; tests run it in-process. Object data
     * ({@code get} without {@code -o}) goes to {@code out} as raw bytes, text through its writer.
     */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main(out));
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : FAILED);
        cl.setExecutionExceptionHandler(Main::failed);
        return cl;
    }

    /** Object bytes for stdout; flush the command's text writer before writing here. */
    OutputStream stdout() {
        return stdout;
    }

    private static int failed(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        switch (e) {
            case CommandLine.ParameterException p -> {
                err.println("ostore: " + p.getMessage());
                return USAGE;
            }
            case OstoreException o -> err.println("ostore: " + o.code() + ": " + o.detail());
            case NoSuchFileException n -> err.println("ostore: no such file: " + n.getFile());
            case UncheckedIOException io -> err.println("ostore: " + io.getCause().getMessage());
            case IOException io -> err.println("ostore: " + io.getMessage());
            default -> err.println("ostore: " + e);
        }
        return FAILED;
    }
}
