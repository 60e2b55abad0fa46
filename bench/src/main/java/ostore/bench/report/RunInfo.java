package ostore.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What every table of a report is stamped with: when, at which commit, on which machine and JDK, at
 * what load, and which etcd. A figure without these cannot be compared with the next one.
 *
 * @param commit the short commit, with {@code +uncommitted} when the tree had changes
 * @param load the 1, 5 and 15 minute load averages when the run started
 * @param logStore the shared-log store the ring's replicas opened, as their log names it (empty if unknown)
 */
record RunInfo(String mode, String date, String commit, String machine, String jdk, String etcd, String load,
        String logStore) {
    /** This stamp with the log store the ring's replicas reported opening. */
    RunInfo withLogStore(String store) {
        return new RunInfo(mode, date, commit, machine, jdk, etcd, load, store);
    }

    static RunInfo collect(String mode, Path root) {
        String date = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC)
                .format(Instant.now());
        String commit = command(root, "git", "rev-parse", "--short", "HEAD");
        String dirty = command(root, "git", "status", "--porcelain", "--untracked-files=no");
        if (!dirty.isEmpty() && !dirty.startsWith("(")) {
            commit += "+uncommitted";
        }
        String model = firstMatch(Path.of("/proc/cpuinfo"), "model name").replaceFirst("^[^:]*:\\s*", "");
        String memKb = firstMatch(Path.of("/proc/meminfo"), "MemTotal").replaceAll("[^0-9]", "");
        long gib = memKb.isEmpty() ? 0 : Math.round(Long.parseLong(memKb) / 1024.0 / 1024.0);
        String machine = Runtime.getRuntime().availableProcessors() + " cores, " + (model.isEmpty() ? "unknown CPU" : model)
                + ", " + gib + " GiB, " + System.getProperty("os.name") + " " + System.getProperty("os.version");
        String jdk = System.getProperty("java.vm.vendor") + " " + Runtime.version();
        String etcd = command(root, System.getProperty("ostore.bench.etcd", "etcd"), "--version").lines().findFirst()
                .orElse("").replaceFirst("^etcd Version: ", "etcd ");
        String load = read(Path.of("/proc/loadavg")).split(" ").length >= 3
                ? String.join(" ", List.of(read(Path.of("/proc/loadavg")).split(" ")).subList(0, 3)) : "unknown";
        return new RunInfo(mode, date, commit, machine, jdk, etcd, load, "");
    }

    /** The command's trimmed output, or its failure in parentheses: a stamp never stops a run. */
    private static String command(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "(" + String.join(" ", cmd) + " failed)";
            }
            return out;
        } catch (IOException e) {
            return "(" + cmd[0] + " not found)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    private static String firstMatch(Path file, String prefix) {
        return read(file).lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
