package ostore.node.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import ostore.api.v1.Action;
import ostore.api.v1.Comparison;
import ostore.api.v1.ReplicaStatusReply;
import ostore.client.Actions;
import ostore.client.OstoreClient;
import ostore.client.OstoreException;
import ostore.client.Predicates;
import ostore.client.RingPolicy;
import ostore.client.Selectors;
import ostore.client.UpdateResult;
import ostore.client.Updates;
import ostore.client.VerifiedVersion;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;
import ostore.crypto.Vguid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ring's soak, behind a flag ({@code -Dostore.soak.seconds=N}; skipped otherwise, so not in the
 * default suite): four {@code ostore replica} processes, 16 client threads of guarded appends, each
 * the only writer of its object, recording every version the ring acknowledged; a nemesis that
 * SIGKILLs (then restarts) or SIGSTOPs (then resumes) one replica at a time, the primary half the
 * time, and once in a while kills all four at once. Afterwards every replica runs again, every
 * acknowledged version reads back through the ring verified (VGUID, certificate), the versions are
 * gapless, and every replica's count of versions without a certificate returns to 0. It prints one
 * line of figures. {@code -Dostore.soak.seed=S} replays the nemesis's choices.
 *
 * <p>Run: {@code bin/mvn -pl node -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=RingSoakTest
 * -Dostore.soak.seconds=300}
 *
 * <p>Other shapes of the same run: {@code -Dostore.soak.writers=N} (default 16); {@code
 * -Dostore.soak.colors=C} (default 1); {@code -Dostore.soak.update-bytes=B}, each version then the
 * object's whole content, B bytes, instead of
 * a short append; {@code -Dostore.soak.log-pool-mib=M}, replicas on an llpl log of an M MiB pool
 * instead of the segment log; {@code -Dostore.soak.nemesis=false}, no faults, and then every
 * replica must still be running at the end (none stopped itself). The small-log run of
 * docs/operations.md is {@code -Dostore.soak.writers=4 -Dostore.soak.update-bytes=2097152
 * -Dostore.soak.log-pool-mib=64 -Dostore.soak.nemesis=false}.
 */
class RingSoakTest {
    private static final int WRITERS = Integer.getInteger("ostore.soak.writers", 16);
    private static final int UPDATE_BYTES = Integer.getInteger("ostore.soak.update-bytes", 0);
    private static final long LOG_POOL_MIB = Long.getLong("ostore.soak.log-pool-mib", 0);
    private static final boolean NEMESIS = Boolean.parseBoolean(System.getProperty("ostore.soak.nemesis", "true"));
    private static final int COLORS = Integer.getInteger("ostore.soak.colors", 1);
    private static final RingPolicy POLICY = new RingPolicy(Duration.ofSeconds(2), 30);
    /** How long after the nemesis stops the replicas get to certify every version they store. */
    private static final long CERTIFY_SECONDS = 120;

    @TempDir
    Path dir;

    private RingProcesses ring;

    @AfterEach
    void stop() {
        if (ring != null) {
            ring.close();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.HOURS)
    void everyAcknowledgedVersionSurvivesTheNemesisCertified() throws Exception {
        long seconds = Long.getLong("ostore.soak.seconds", 0);
        assumeTrue(seconds > 0, "set -Dostore.soak.seconds=N to run the soak");
        long seed = Long.getLong("ostore.soak.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        ring = RingProcesses.create(dir, Map.of("view-change-timeout-micros", 1_000_000L), COLORS);
        if (LOG_POOL_MIB > 0) {
            ring.jvmOptions("-Dostore.log.store=llpl", "-Dostore.log.pool-mib=" + LOG_POOL_MIB);
        }
        if (UPDATE_BYTES > 0) {
            // Room for the updates a replica holds in memory: those pending, in batches, and being caught up on.
            ring.jvmOptions("-Xmx1g");
        }
        ring.startAll();
        try (OstoreClient client = OstoreClient.connectRing(ring.spec(), SigningKey.generate(new SecureRandom()), POLICY)) {
            Writers writers = new Writers(client, WRITERS, UPDATE_BYTES);
            Nemesis nemesis = new Nemesis(random);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() - end < 0) {
                writers.check();
                if (NEMESIS) {
                    nemesis.strike();
                } else {
                    Thread.sleep(1_000);
                }
            }
            writers.stopAndJoin(ring::report);
            if (!NEMESIS) {
                for (int i = 0; i < 4; i++) {
                    assertTrue(ring.running(i), "replica " + i + " stopped by itself; its output:\n" + ring.output(i));
                }
            }
            for (int i = 0; i < 4; i++) {
                ring.awaitCaughtUp(client, i, List.of(0, 1, 2, 3));
            }
            long uncertified = awaitCertified();
            long acknowledged = 0;
            for (int w = 0; w < WRITERS; w++) {
                Map<Long, Vguid> acked = writers.acked.get(w);
                acknowledged += acked.size();
                VerifiedVersion latest = client.stat(writers.aguid(w), Selectors.latest());
                assertEquals(acked.size(), latest.root().seq(), "writer " + w + ": acknowledged versions are not"
                        + " exactly 1.." + latest.root().seq());
                assertTrue(acked.isEmpty() || acked.keySet().iterator().next() == 1
                        && ((ConcurrentSkipListMap<Long, Vguid>) acked).lastKey() == acked.size(),
                        "writer " + w + ": acknowledged seqs have a gap: " + acked.keySet());
                for (Map.Entry<Long, Vguid> e : acked.entrySet()) {
                    VerifiedVersion v = client.stat(writers.aguid(w), Selectors.seq(e.getKey()));
                    assertEquals(e.getValue(), v.vguid(), "writer " + w + " seq " + e.getKey());
                    assertTrue(v.certificate() != null, "writer " + w + " seq " + e.getKey() + " came without a certificate");
                }
            }
            long views = 0;
            for (int i = 0; i < 4; i++) {
                views = Math.max(views, ring.status(i).map(ReplicaStatusReply::getView).orElse(0L));
            }
            System.out.println("soak: seed " + seed + ", " + seconds + " s, " + WRITERS + " writers of "
                    + (UPDATE_BYTES > 0 ? UPDATE_BYTES + "-byte versions" : "short appends") + ", log "
                    + (LOG_POOL_MIB > 0 ? "llpl " + LOG_POOL_MIB + " MiB" : "segment") + ", " + COLORS + " colors, acknowledged " + acknowledged + ", kills "
                    + nemesis.kills + " (primary " + nemesis.primaryKills + "), stops " + nemesis.stops
                    + ", whole-ring kills " + nemesis.ringKills + ", lost 0, unreadable 0, uncertified at the end "
                    + uncertified + ", view changes " + views + ", longest time without an acknowledgement "
                    + TimeUnit.NANOSECONDS.toMillis(writers.longestGapNanos.get()) + " ms");
        }
    }

    /** Waits until no replica stores a version without its certificate; returns what is left (0). */
    private long awaitCertified() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CERTIFY_SECONDS);
        List<String> last = new ArrayList<>();
        while (System.nanoTime() - deadline < 0) {
            last.clear();
            long left = 0;
            for (int i = 0; i < 4; i++) {
                Optional<ReplicaStatusReply> s = ring.status(i);
                long n = s.map(ReplicaStatusReply::getUncertifiedVersions).orElse(Long.MAX_VALUE / 8);
                left += n;
                last.add("replica " + i + ": " + s.map(r -> r.getUncertifiedVersions() + " uncertified").orElse("silent"));
            }
            if (left == 0) {
                return 0;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("versions still without a certificate " + CERTIFY_SECONDS + " s after the nemesis"
                + " stopped: " + last);
    }

    /** One replica at a time, the primary half the time; now and then all four. */
    private final class Nemesis {
        private final SplittableRandom random;
        int kills;
        int primaryKills;
        int stops;
        int ringKills;

        Nemesis(SplittableRandom random) {
            this.random = random;
        }

        void strike() throws Exception {
            Thread.sleep(2_000 + random.nextInt(3_000));
            int roll = random.nextInt(20);
            if (roll == 0) {
                for (int i = 0; i < 4; i++) {
                    ring.kill(i);
                }
                ringKills++;
                Thread.sleep(random.nextInt(2_000));
                ring.startAll();
                return;
            }
            int victim = random.nextBoolean() ? primaryOrAny() : random.nextInt(4);
            if (roll < 14) {
                if (victim == primaryOrAny()) {
                    primaryKills++;
                }
                ring.kill(victim);
                kills++;
                Thread.sleep(1_000 + random.nextInt(4_000));
                ring.start(victim);
            } else {
                ring.pause(victim);
                stops++;
                Thread.sleep(1_000 + random.nextInt(4_000));
                ring.resume(victim);
            }
        }

        private int primaryOrAny() {
            try {
                return ring.primary();
            } catch (AssertionError noAgreement) {
                return random.nextInt(4);
            }
        }
    }

    /**
     * Single-writer appends with a version guard. An answer lost to a fault (the SDK gave up) is
     * settled by reading the object back, verified: the version it would have made is either there
     * (the ring committed it; the read's certificate acknowledges it) or not (the append is tried
     * again on the same seq).
     */
    private static final class Writers {
        final OstoreClient client;
        final List<Map<Long, Vguid>> acked = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong lastAckNanos = new AtomicLong(System.nanoTime());
        final AtomicLong longestGapNanos = new AtomicLong();

        final int updateBytes;

        /** @param updateBytes 0 for short appends, else the size of each version's whole content */
        Writers(OstoreClient client, int writers, int updateBytes) {
            this.client = client;
            this.updateBytes = updateBytes;
            for (int i = 0; i < writers; i++) {
                Map<Long, Vguid> mine = new ConcurrentSkipListMap<>();
                acked.add(mine);
                String name = "soak-" + i;
                threads.add(Thread.ofPlatform().name(name).start(() -> loop(name, mine)));
            }
        }

        Aguid aguid(int writer) {
            return client.aguidOf("soak-" + writer);
        }

        private void loop(String name, Map<Long, Vguid> mine) {
            Aguid aguid = client.aguidOf(name);
            try {
                while (!stop.get()) {
                    long seq = mine.size();
                    byte[] data = (name + ":" + (seq + 1) + ",").getBytes(StandardCharsets.UTF_8);
                    List<Action> actions = List.of(Actions.append(data));
                    if (updateBytes > 0) {
                        byte[] content = new byte[updateBytes];
                        for (int i = 0; i < content.length; i++) {
                            content[i] = data[i % data.length];
                        }
                        actions = List.of(Actions.truncate(0), Actions.append(content));
                    }
                    try {
                        UpdateResult r = client.submit(Updates.forObject(aguid).create(client.key().publicKey(), name)
                                .when(Predicates.version(Comparison.EQ, seq)).then(actions).build());
                        if (r.committed()) {
                            acknowledge(mine, r.root().seq(), r.vguid());
                            continue;
                        }
                    } catch (OstoreException e) {
                        // Settled below, even when stopping: the ring may have committed it.
                    }
                    // No answer, or an abort (an earlier try committed after all): what does the ring hold?
                    settle(aguid, seq, mine);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        private void settle(Aguid aguid, long seq, Map<Long, Vguid> mine) {
            for (int attempt = 0; attempt < 600; attempt++) {
                try {
                    VerifiedVersion latest = client.stat(aguid, Selectors.latest());
                    if (latest.root().seq() == seq + 1) {
                        acknowledge(mine, seq + 1, latest.vguid());
                    } else if (latest.root().seq() != seq) {
                        throw new AssertionError(aguid + ": the only writer expected seq " + seq + " or " + (seq + 1)
                                + ", the ring holds " + latest.root().seq());
                    }
                    return;
                } catch (OstoreException e) {
                    if (e.code() == io.grpc.Status.Code.NOT_FOUND && seq == 0) {
                        return;
                    }
                    sleepQuietly();
                }
            }
            throw new AssertionError(aguid + ": the ring did not answer a read for 2 minutes");
        }

        private void acknowledge(Map<Long, Vguid> mine, long seq, Vguid vguid) {
            mine.put(seq, vguid);
            long now = System.nanoTime();
            long before = lastAckNanos.getAndSet(now);
            longestGapNanos.accumulateAndGet(now - before, Math::max);
        }

        private static void sleepQuietly() {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void check() {
            Throwable t = failure.get();
            if (t != null) {
                throw new AssertionError("a writer failed: " + t, t);
            }
        }

        void stopAndJoin(java.util.function.Supplier<String> ringReport) throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.MINUTES.toMillis(3));
                if (t.isAlive()) {
                    throw new AssertionError(t.getName() + " is still waiting for the ring 3 minutes after the nemesis"
                            + " stopped; the replicas:\n" + ringReport.get());
                }
            }
            check();
        }
    }
}
