package ostore.node.cli;

import java.io.PrintWriter;
import ostore.archive.Progress;

/**
 * A one-line progress bar on stderr for long restores, redrawn at most every 100 ms. Drawn only
 * when stderr is a terminal: in a pipe or a log file the carriage returns would be noise.
 */
final class ProgressBar implements Progress {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final String label;
    private long lastDraw;
    private boolean drawn;

    private ProgressBar(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    /** A bar on {@code err} if the process's terminal is interactive, else {@link Progress#NONE}. */
    static Progress forTerminal(PrintWriter err, String label) {
        java.io.Console console = System.console();
        return console != null && console.isTerminal() ? new ProgressBar(err, label) : Progress.NONE;
    }

    @Override
    public void update(long done, long total) {
        long now = System.nanoTime();
        if (drawn && done < total && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        drawn = true;
        int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        err.print("\r" + label + " [" + bar + "] " + mib(done) + " / " + mib(total) + " MiB");
        if (done >= total) {
            err.println();
        }
        err.flush();
    }

    private static String mib(long bytes) {
        return String.format("%.1f", bytes / 1048576.0);
    }
}
