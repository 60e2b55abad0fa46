package ostore.bench.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One driver run in a JVM of its own, so every row starts from a fresh heap and JIT, its GC pauses
 * are its own, and a driver that hangs or crashes costs its rows only. Standard output is read as
 * lines (the driver's {@code result} and {@code phases} lines among them); standard error goes to
 * a log file kept beside the report, which a failure names.
 *
 * <p>The child is stopped with everything it started (an etcd member, for one) if it outlives its
 * time limit, and when this JVM exits early: the suite never leaves a process behind.
 */
final class ChildJvm {
    /** What a run printed on standard output, and where its standard error went. */
    record Output(List<String> lines, Path log) {
        /** The lines that start with {@code prefix}, prefix kept. */
        List<String> linesStartingWith(String prefix) {
            return lines.stream().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    /**
     * A child that exited non-zero or ran out of time; the message names its log. It keeps what
     * the child printed before it failed, so rows measured before the failure still count.
     */
    static final class Failed extends Exception {
        private final transient Output partial;

        Failed(String message, Output partial) {
            super(message);
            this.partial = partial;
        }

        /** What the child printed before it failed. */
        Output partial() {
            return partial;
        }
    }

    private ChildJvm() {}

    /**
     * The command that starts {@code mainClass} with {@code args} in a JVM like this one: the same
     * java binary and class path, the JVM options the benchmarks need, and {@code jvmOptions}.
     */
    static List<String> command(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Suite.JVM_OPTIONS);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Runs {@code command}, its standard error to {@code log}, and returns its standard output's
     * lines. Throws {@link Failed} if it exits non-zero or runs past {@code limit} (then it and its
     * descendants are killed first).
     */
    static Output run(List<String> command, Path log, Duration limit) throws IOException, InterruptedException, Failed {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        Thread reaper = new Thread(() -> killTree(p), "kill " + log.getFileName());
        Runtime.getRuntime().addShutdownHook(reaper);
        List<String> lines = new ArrayList<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                // the child died: its exit status or the time limit tells what happened
            }
        });
        try {
            String what = String.join(" ", command.subList(command.indexOf(mainOf(command)), command.size()));
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(p);
                reader.join(Duration.ofSeconds(10));
                throw new Failed(what + " ran past its limit of " + limit.toSeconds() + " s and was killed; its log: "
                        + log, snapshot(lines, log));
            }
            reader.join(Duration.ofSeconds(10));
            if (p.exitValue() != 0) {
                throw new Failed(what + " exited with status " + p.exitValue() + "; its log: " + log + lastLines(log),
                        snapshot(lines, log));
            }
            return snapshot(lines, log);
        } finally {
            killTree(p);
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private static Output snapshot(List<String> lines, Path log) {
        synchronized (lines) {
            return new Output(List.copyOf(lines), log);
        }
    }

    /** The main class in a command built by {@link #command}: the argument after the class path. */
    private static String mainOf(List<String> command) {
        int cp = command.indexOf("-cp");
        return cp >= 0 && cp + 2 < command.size() ? command.get(cp + 2) : command.get(0);
    }

    private static String lastLines(Path log) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return all.isEmpty() ? "" : "; it ends:\n  " + String.join("\n  ", all.subList(Math.max(0, all.size() - 8), all.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Stops {@code p} and its descendants: first asks {@code p} to stop (its shutdown hooks may
     * clean up what it started), then kills whatever is left. The descendants are listed before,
     * as they stop being {@code p}'s once it is gone.
     */
    private static void killTree(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        if (p.isAlive()) {
            p.destroy();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // gone or unkillable: nothing more this JVM can do
            }
        }
    }
}
