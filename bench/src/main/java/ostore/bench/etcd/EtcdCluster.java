package ostore.bench.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real etcd cluster of {@code members} processes on 127.0.0.1, started and stopped by the
 * benchmark itself, so that ostore is measured beside its nearest peer in the same run, on the same
 * machine and cores (issue 6). Each member runs Debian's {@code etcd} binary (package
 * {@code etcd-server}, installed by {@code scripts/install-etcd}) with its own temporary directory
 * holding its data directory and its log, and free loopback ports for peers and clients.
 *
 * <p>etcd runs with its default durability: every Raft entry is fsynced to the WAL before it is
 * acknowledged ({@code --unsafe-no-fsync} is never passed). ostore's replicas sync their logs before
 * they answer, so anything less would measure a peer that promises less.
 *
 * <p>{@link #start} returns only once every member answers {@code /health} with a leader elected (or
 * throws, after stopping whatever it started, with each member's log in the message).
 * {@link #close} stops every member (SIGTERM, then SIGKILL after a bounded wait) and deletes every
 * directory; a JVM shutdown hook does the same should the cluster never be closed, so no etcd
 * outlives the benchmark that started it.
 */
public final class EtcdCluster implements AutoCloseable {
    /** How long a member gets to exit after SIGTERM before it is killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** How much of each member's log an exception message carries (its end). */
    private static final int LOG_TAIL_BYTES = 4096;
    private static final String HOST = "127.0.0.1";

    /**
     * How to start a cluster.
     *
     * @param executable the etcd binary (a path, or a name looked up on the PATH)
     * @param members how many members (1 to 7)
     * @param readyTimeout how long to wait for every member to report a leader
     * @param extraArgs further flags passed to every member
     * @param parentDir where the cluster's temporary directory is made
     */
    public record Config(String executable, int members, Duration readyTimeout, List<String> extraArgs,
            Path parentDir) {
        public Config {
            Objects.requireNonNull(executable, "executable");
            Objects.requireNonNull(readyTimeout, "readyTimeout");
            Objects.requireNonNull(parentDir, "parentDir");
            extraArgs = List.copyOf(extraArgs);
            if (members < 1 || members > 7) {
                throw new IllegalArgumentException("members must be 1 to 7, not " + members);
            }
            if (readyTimeout.isNegative() || readyTimeout.isZero()) {
                throw new IllegalArgumentException("readyTimeout must be positive, not " + readyTimeout);
            }
        }

        /**
         * Three members of {@code etcd} from the PATH (or {@code -Dostore.bench.etcd}), 30 s to
         * elect a leader, under {@code java.io.tmpdir}.
         */
        public static Config defaults() {
            return new Config(System.getProperty("ostore.bench.etcd", "etcd"), 3, Duration.ofSeconds(30), List.of(),
                    Path.of(System.getProperty("java.io.tmpdir")));
        }

        public Config withExtraArgs(List<String> args) {
            return new Config(executable, members, readyTimeout, args, parentDir);
        }

        public Config withReadyTimeout(Duration timeout) {
            return new Config(executable, members, timeout, extraArgs, parentDir);
        }

        public Config withParentDir(Path dir) {
            return new Config(executable, members, readyTimeout, extraArgs, dir);
        }
    }

    /** One running member: its name, ports, directory and process. */
    public record Member(String name, int peerPort, int clientPort, Path dir, Process process) {
        public Path dataDir() {
            return dir.resolve("data");
        }

        public Path log() {
            return dir.resolve("etcd.log");
        }

        public URI clientUrl() {
            return URI.create("http://" + HOST + ":" + clientPort);
        }

        URI peerUrl() {
            return URI.create("http://" + HOST + ":" + peerPort);
        }
    }

    private final Path root;
    private final List<Member> members;
    private final Thread shutdownHook;
    private boolean closed;

    private EtcdCluster(Path root, List<Member> members) {
        this.root = root;
        this.members = List.copyOf(members);
        this.shutdownHook = new Thread(this::stopQuietly, "etcd-cluster-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts {@link Config#defaults()}. */
    public static EtcdCluster start() throws IOException, InterruptedException {
        return start(Config.defaults());
    }

    /**
     * Starts the members and waits until each reports a leader. On any failure every process
     * started so far is stopped and the directory removed before the exception leaves.
     *
     * @throws IOException if etcd cannot be started or the cluster is not ready in time; the message
     *     names the member and ends with every member's log
     */
    public static EtcdCluster start(Config config) throws IOException, InterruptedException {
        String executable = resolveExecutable(config.executable());
        Path root = Files.createTempDirectory(config.parentDir(), "ostore-etcd");
        List<Member> started = new ArrayList<>();
        EtcdCluster cluster = null;
        try {
            int[] ports = freePorts(2 * config.members());
            List<String> names = new ArrayList<>();
            StringBuilder initial = new StringBuilder();
            for (int i = 0; i < config.members(); i++) {
                names.add("m" + i);
                if (i > 0) {
                    initial.append(',');
                }
                initial.append("m").append(i).append("=http://" + HOST + ":").append(ports[2 * i]);
            }
            // A token of this run: members of some other cluster on these ports would refuse to join.
            String token = "ostore-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            for (int i = 0; i < config.members(); i++) {
                Path dir = Files.createDirectory(root.resolve(names.get(i)));
                Member m = new Member(names.get(i), ports[2 * i], ports[2 * i + 1], dir, null);
                List<String> cmd = new ArrayList<>(List.of(executable,
                        "--name", m.name(),
                        "--data-dir", m.dataDir().toString(),
                        "--listen-peer-urls", m.peerUrl().toString(),
                        "--initial-advertise-peer-urls", m.peerUrl().toString(),
                        "--listen-client-urls", m.clientUrl().toString(),
                        "--advertise-client-urls", m.clientUrl().toString(),
                        "--initial-cluster", initial.toString(),
                        "--initial-cluster-token", token,
                        "--initial-cluster-state", "new",
                        "--logger", "zap",
                        "--log-outputs", "stderr"));
                cmd.addAll(config.extraArgs());
                Process p = new ProcessBuilder(cmd)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(m.log().toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
                started.add(new Member(m.name(), m.peerPort(), m.clientPort(), dir, p));
            }
            cluster = new EtcdCluster(root, started);
            cluster.awaitHealthy(config.readyTimeout());
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            String logs = logs(started);
            Exception failure = e instanceof InterruptedException ? e : new IOException(e.getMessage() + logs, e);
            try {
                if (cluster != null) {
                    cluster.close();
                } else {
                    try {
                        stopAll(started);
                    } finally {
                        deleteTree(root);
                    }
                }
            } catch (RuntimeException stopFailed) {
                failure.addSuppressed(stopFailed);
            }
            if (failure instanceof InterruptedException ie) {
                throw ie;
            }
            throw (IOException) failure;
        }
    }

    /** The members, in the order of {@link #clientEndpoints()}. */
    public List<Member> members() {
        return members;
    }

    /** The client URLs, {@code http://127.0.0.1:port}, one per member. */
    public List<String> clientEndpoints() {
        return members.stream().map(m -> m.clientUrl().toString()).toList();
    }

    /** The temporary directory holding every member's directory; gone once closed. */
    public Path root() {
        return root;
    }

    /**
     * CPU time the members have used so far (user and system, from the kernel's accounting), so a
     * driver can charge the servers' CPU to etcd as the embedded ring's figures charge ostore's.
     */
    public Duration cpuTime() {
        Duration total = Duration.ZERO;
        for (Member m : members) {
            Optional<Duration> cpu = m.process().info().totalCpuDuration();
            if (cpu.isEmpty()) {
                throw new IllegalStateException("the kernel does not report " + m.name() + "'s CPU time");
            }
            total = total.plus(cpu.get());
        }
        return total;
    }

    /**
     * Polls every member's {@code /health} (true only once the member knows a leader and can serve
     * a read through it) until all say so, a member exits, or {@code timeout} passes.
     */
    private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            List<Member> waiting = new ArrayList<>(members);
            String last = "no answer yet";
            while (!waiting.isEmpty()) {
                for (Member m : members) {
                    if (!m.process().isAlive()) {
                        throw new IOException("etcd member " + m.name() + " exited with status "
                                + m.process().exitValue() + " while the cluster was starting");
                    }
                }
                Member m = waiting.getFirst();
                try {
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(m.clientUrl().resolve("/health"))
                                    .timeout(Duration.ofSeconds(2)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    last = m.name() + ": HTTP " + r.statusCode() + " " + r.body().strip();
                    if (r.statusCode() == 200 && r.body().replace(" ", "").contains("\"health\":\"true\"")) {
                        waiting.removeFirst();
                        continue;
                    }
                } catch (IOException e) {
                    last = m.name() + ": " + e;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("etcd cluster not healthy after " + timeout + " (" + last + ")");
                }
                Thread.sleep(100); // polling a process we do not control: nothing to wait on instead
            }
        }
    }

    /** Stops every member and deletes every directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it stops the members too
        }
        try {
            stopAll(members);
        } finally {
            deleteTree(root);
        }
    }

    private void stopQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("etcd cluster at " + root + " not fully stopped: " + e);
        }
    }

    /** SIGTERM to all, then SIGKILL to whichever has not exited within the grace period. */
    private static void stopAll(List<Member> members) {
        for (Member m : members) {
            m.process().destroy();
        }
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        boolean interrupted = false;
        for (Member m : members) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!m.process().waitFor(left, TimeUnit.NANOSECONDS)) {
                    m.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                interrupted = true;
                m.process().destroyForcibly();
            }
        }
        for (Member m : members) {
            // After SIGKILL the exit is the kernel's, not etcd's: bounded all the same.
            try {
                if (!m.process().waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                    throw new IllegalStateException("etcd member " + m.name() + " (pid " + m.process().pid()
                            + ") survived SIGKILL for " + STOP_GRACE);
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every member's log's end, as an exception message's tail. */
    private static String logs(List<Member> members) {
        StringBuilder b = new StringBuilder();
        for (Member m : members) {
            b.append("\n--- ").append(m.name()).append(" (").append(m.log()).append(") ---\n");
            try {
                byte[] all = Files.readAllBytes(m.log());
                int from = Math.max(0, all.length - LOG_TAIL_BYTES);
                b.append(from > 0 ? "[...]\n" : "").append(new String(all, from, all.length - from, StandardCharsets.UTF_8));
            } catch (IOException e) {
                b.append("(log unreadable: ").append(e).append(')');
            }
        }
        return b.toString();
    }

    /**
     * {@code n} distinct ports free on 127.0.0.1 now (held open together so none repeats). Another
     * process may take one before etcd binds it; the member then exits and {@link #start} fails
     * with its log naming the port.
     */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    private static String resolveExecutable(String executable) throws IOException {
        if (executable.contains("/")) {
            if (!Files.isExecutable(Path.of(executable))) {
                throw new IOException("etcd binary " + executable + " is not executable");
            }
            return executable;
        }
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, executable);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IOException("no " + executable + " on the PATH (" + path
                + "): install Debian's etcd-server (scripts/install-etcd)");
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete etcd's directory " + root, e);
        }
    }
}
