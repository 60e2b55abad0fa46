package ostore.node.ring;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import ostore.api.v1.ReplicaStatusReply;
import ostore.api.v1.RingInfoGrpc;
import ostore.api.v1.RingStatusRequest;
import ostore.client.OstoreClient;
import ostore.client.RingFile;
import ostore.client.RingSpec;
import ostore.crypto.KeyFiles;
import ostore.crypto.SigningKey;
import ostore.ring.bft.RingConfig;

/**
 * A ring of 3f+1 = 4 replicas, each an {@code ostore replica} process of its own on a free loopback
 * port, with its key and data directory under one test directory: started, SIGKILLed, wiped and
 * restarted one by one, and asked for their status over {@code RingInfo}. {@link #close()} kills
 * every process still running.
 */
final class RingProcesses implements AutoCloseable {
    static final long START_SECONDS = 60;
    static final long STATUS_DEADLINE_SECONDS = 3;
    /** How long a restarted replica may take to catch up: it may have to wait out its peers' reconnect back-off. */
    static final long CATCH_UP_SECONDS = 30;
    /** Between two looks at a replica that is behind, one update through the ring and this pause. */
    static final long CATCH_UP_PAUSE_MILLIS = 100;

    private final Path dir;
    private final RingSpec spec;
    private final Process[] processes;
    private final StringBuilder[] output;
    /** Command-line arguments added to one replica's, by id: the way to start it in a test mode. */
    private final Map<Integer, List<String>> extraArgs = new HashMap<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();

    private RingProcesses(Path dir, RingSpec spec) {
        this.dir = dir;
        this.spec = spec;
        this.processes = new Process[spec.n()];
        this.output = new StringBuilder[spec.n()];
        for (RingSpec.Member m : spec.replicas()) {
            channels.add(Grpc.newChannelBuilder(m.target(), InsecureChannelCredentials.create()).build());
        }
    }

    /** Writes keys and a ring file for 4 replicas on free loopback ports, with {@code params} over the defaults. */
    static RingProcesses create(Path dir, Map<String, Long> params) throws IOException {
        return create(dir, params, 1);
    }

    /** As {@link #create(Path, Map)}, with {@code colors} colors. */
    static RingProcesses create(Path dir, Map<String, Long> params, int colors) throws IOException {
        Map<String, Long> all = new LinkedHashMap<>(RingConfigs.params(RingConfig.Params.DEFAULT));
        all.putAll(params);
        List<RingSpec.Member> members = new ArrayList<>();
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 4; i++) {
            SigningKey key = SigningKey.generate(random);
            Files.createDirectories(keyFile(dir, i).getParent());
            KeyFiles.save(key, keyFile(dir, i));
            members.add(new RingSpec.Member(i, "127.0.0.1", freePort(), key.publicKey()));
        }
        RingSpec spec = new RingSpec(0, 1, colors, all, members);
        RingFile.write(spec, dir.resolve("ring.conf"));
        return new RingProcesses(dir, spec);
    }

    /** The port is free now; another process could take it before the replica binds, which is rare enough. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Path keyFile(Path dir, int id) {
        return dir.resolve("keys").resolve("replica-" + id + ".key");
    }

    Path dataDir(int id) {
        return dir.resolve("replica-" + id);
    }

    RingSpec spec() {
        return spec;
    }

    /** Adds JVM options (system properties, say) to every replica's command line from its next start on; later ones win. */
    void jvmOptions(String... options) {
        jvmOptions.addAll(List.of(options));
    }

    /** Adds {@code args} to replica {@code id}'s command line from its next start on. */
    void extraArgs(int id, String... args) {
        extraArgs.put(id, List.of(args));
    }

    /** Starts every replica and waits until each says it listens. */
    void startAll() throws Exception {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (int i = 0; i < spec.n(); i++) {
            ready.add(launch(i));
        }
        for (int i = 0; i < ready.size(); i++) {
            awaitReady(i, ready.get(i));
        }
    }

    /** Starts replica {@code id} on its data directory and waits until it listens. */
    void start(int id) throws Exception {
        awaitReady(id, launch(id));
    }

    private void awaitReady(int id, CompletableFuture<Void> ready) throws Exception {
        try {
            ready.get(START_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("replica " + id + " did not start; its output:\n" + output(id), e);
        }
    }

    private CompletableFuture<Void> launch(int id) throws IOException {
        assert processes[id] == null || !processes[id].isAlive() : "replica " + id + " is running";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The segment store grows as written; llpl would preallocate 1 GiB per replica. C1 alone
        // spares two cores the optimizing compiler of five JVMs, which short runs do not repay.
        List<String> command = new ArrayList<>(List.of(java, "-ea", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Dostore.log.store=segment", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "ostore.node.cli.Main", "replica",
                "--config", dir.resolve("ring.conf").toString(), "--id", Integer.toString(id),
                "--key", keyFile(dir, id).toString(), "--data", dataDir(id).toString()));
        command.addAll(extraArgs.getOrDefault(id, List.of()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        processes[id] = p;
        StringBuilder seen = new StringBuilder();
        output[id] = seen;
        CompletableFuture<Void> ready = new CompletableFuture<>();
        java.io.Writer kept = keptLog(id);
        Thread.ofVirtual().name("replica-" + id + "-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    java.io.Writer keep = kept) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (seen) {
                        seen.append(line).append('\n');
                    }
                    if (keep != null) {
                        keep.write(line + "\n");
                        keep.flush();
                    }
                    if (line.startsWith("ostore replica " + id + " of ") && line.contains(" listening on ")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("replica " + id + " exited before listening"));
        });
        return ready;
    }

    /**
     * With {@code -Dostore.ring.logs=DIR}, where replica {@code id}'s whole output goes, appended
     * across its restarts ({@code DIR/replica-ID.log}); what a failure report shows is only a tail.
     */
    private static java.io.Writer keptLog(int id) throws IOException {
        String dir = System.getProperty("ostore.ring.logs");
        if (dir == null) {
            return null;
        }
        Files.createDirectories(Path.of(dir));
        return Files.newBufferedWriter(Path.of(dir, "replica-" + id + ".log"), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill(int id) throws InterruptedException {
        Process p = processes[id];
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("replica " + id + " survived SIGKILL");
        }
    }

    /** SIGSTOP: the process freezes with everything it holds (a stalled machine), until {@link #resume}. */
    void pause(int id) throws IOException, InterruptedException {
        signal(id, "STOP");
    }

    /** SIGCONT after {@link #pause}. */
    void resume(int id) throws IOException, InterruptedException {
        signal(id, "CONT");
    }

    private void signal(int id, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(processes[id].pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " of replica " + id + " failed");
        }
    }

    /** Whether replica {@code id}'s process is alive (a paused one is). */
    boolean running(int id) {
        return processes[id] != null && processes[id].isAlive();
    }

    /** Deletes replica {@code id}'s data directory (its key lives elsewhere): a lost disk. */
    void wipe(int id) throws IOException {
        assert !processes[id].isAlive() : "wipe a stopped replica only";
        try (Stream<Path> paths = Files.walk(dataDir(id))) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** Replica {@code id}'s own account of itself, or empty if it does not answer in time. */
    Optional<ReplicaStatusReply> status(int id) {
        try {
            return Optional.of(RingInfoGrpc.newBlockingStub(channels.get(id))
                    .withDeadlineAfter(STATUS_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .status(RingStatusRequest.getDefaultInstance()));
        } catch (StatusRuntimeException e) {
            return Optional.empty();
        }
    }

    /** The primary the answering replicas agree on (2f+1 of them must). */
    int primary() {
        List<Integer> said = new ArrayList<>();
        for (int i = 0; i < spec.n(); i++) {
            status(i).ifPresent(s -> said.add(s.getPrimary()));
        }
        for (int p : said) {
            if (said.stream().filter(q -> q == p).count() >= spec.quorum()) {
                return p;
            }
        }
        throw new AssertionError("no 2f+1 replicas agree on the primary: " + said);
    }

    /**
     * Waits, at most {@value #CATCH_UP_SECONDS} s, until replica {@code id} has executed at least
     * what replicas {@code others} had when asked, and holds a certificate for every version it
     * stores (those it caught up on gather theirs from peers a few rounds later; a read of one still
     * without waits for it). Each look that finds it behind is followed by one real update through
     * the ring (a replica that learns of its gap from new traffic gets some) and a short pause.
     */
    void awaitCaughtUp(OstoreClient client, int id, Collection<Integer> others) {
        long target = 0;
        for (int i : others) {
            if (i != id) {
                target = Math.max(target, status(i).map(RingProcesses::executed).orElse(0L));
            }
        }
        assertTrue(target > 0, "replicas " + others + " executed nothing");
        Optional<ReplicaStatusReply> last = Optional.empty();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CATCH_UP_SECONDS);
        for (int probe = 0; System.nanoTime() - deadline < 0; probe++) {
            last = status(id);
            if (last.isPresent() && executed(last.get()) >= target) {
                if (last.get().getUncertifiedVersions() == 0) {
                    return;
                }
                // Caught up on batches, still gathering certificates: wait for them, adding no versions.
            } else {
                try {
                    client.put("probe", ("probe " + probe).getBytes(StandardCharsets.UTF_8));
                } catch (RuntimeException e) {
                    throw new AssertionError("waiting for replica " + id + " to catch up, the ring did not take an update: "
                            + e.getMessage() + "\nthe replicas:\n" + report(), e);
                }
            }
            try {
                Thread.sleep(CATCH_UP_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for replica " + id + " to catch up", e);
            }
        }
        throw new AssertionError("replica " + id + " did not catch up to batch " + target + " within " + CATCH_UP_SECONDS
                + " s (executed and every version certified); the replicas:\n" + report());
    }

    /** Batches executed, all colors together: what catching up is measured by. */
    private static long executed(ReplicaStatusReply s) {
        return s.getColorsList().stream().mapToLong(ostore.api.v1.ColorStatus::getLastExecuted).sum();
    }

    /** Every replica's status (or that it did not answer) and the tail of its output: what a stuck test shows. */
    String report() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < output.length; i++) {
            b.append("replica ").append(i).append(": ").append(status(i).map(Object::toString).orElse("no answer"))
                    .append("\n").append(tail(output(i))).append("\n");
        }
        return b.toString();
    }

    static String tail(String output) {
        return output.length() <= 4_000 ? output : "..." + output.substring(output.length() - 4_000);
    }

    String output(int id) {
        StringBuilder b = output[id];
        if (b == null) {
            return "(never started)";
        }
        synchronized (b) {
            return b.toString();
        }
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        for (Process p : processes) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes) {
            try {
                if (p != null) {
                    p.waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
