package ostore.node.ring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import ostore.api.v1.Comparison;
import ostore.client.Actions;
import ostore.client.OstoreClient;
import ostore.client.Predicates;
import ostore.client.UpdateResult;
import ostore.client.Updates;
import ostore.crypto.Aguid;
import ostore.crypto.Vguid;

/**
 * Client threads, each the only writer of its own object, appending with a version guard (so a
 * lost or repeated update shows as an abort or a gap), and recording what the ring acknowledged:
 * per object, seq to the VGUID the client was given.
 */
final class RingWriters {
    private final OstoreClient client;
    private final List<Map<Long, Vguid>> acked = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Semaphore acks = new Semaphore(0);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private RingWriters(OstoreClient client) {
        this.client = client;
    }

    static RingWriters start(OstoreClient client, int writers) {
        RingWriters w = new RingWriters(client);
        for (int i = 0; i < writers; i++) {
            Map<Long, Vguid> mine = new ConcurrentSkipListMap<>();
            w.acked.add(mine);
            String name = "writer-" + i;
            w.threads.add(Thread.ofPlatform().name(name).start(() -> w.appendLoop(name, mine)));
        }
        return w;
    }

    Aguid aguid(int writer) {
        return client.aguidOf("writer-" + writer);
    }

    int writers() {
        return acked.size();
    }

    /** Seq to VGUID of every update writer {@code i} had acknowledged. */
    Map<Long, Vguid> acked(int writer) {
        return acked.get(writer);
    }

    private void appendLoop(String name, Map<Long, Vguid> mine) {
        Aguid aguid = client.aguidOf(name);
        try {
            while (!stop.get()) {
                long seq = mine.size();
                UpdateResult r = client.submit(Updates.forObject(aguid).create(client.key().publicKey(), name)
                        .when(Predicates.version(Comparison.EQ, seq))
                        .then(Actions.append((name + ":" + (seq + 1) + ",").getBytes(StandardCharsets.UTF_8)))
                        .build());
                if (!r.committed() || r.root().seq() != seq + 1) {
                    throw new AssertionError(name + ": the only writer's append on seq " + seq + " came back "
                            + (r.committed() ? "at seq " + r.root().seq() : "aborted: " + r.entry().getAbortReason()));
                }
                mine.put(r.root().seq(), r.vguid());
                acks.release();
            }
        } catch (Throwable t) {
            if (failure.compareAndSet(null, t)) {
                acks.release(Integer.MAX_VALUE / 2); // wakes the test, which then sees the failure
            }
        }
    }

    /**
     * Blocks until {@code n} updates are acknowledged from now on; fails if a writer failed or none
     * came in time. Acknowledgements from before the call do not count: after a fault, only ones
     * the ring gave since show it still makes progress.
     */
    void awaitAcks(int n, long timeoutSeconds, String what) throws InterruptedException {
        check(what);
        acks.drainPermits();
        boolean got = acks.tryAcquire(n, timeoutSeconds, TimeUnit.SECONDS);
        check(what);
        if (!got) {
            throw new AssertionError(what + ": fewer than " + n + " updates acknowledged in " + timeoutSeconds + " s");
        }
    }

    /** Stops the writers after the update each has in flight, and waits for them. */
    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(120));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " is still waiting for the ring");
            }
        }
        check("stopping the writers");
    }

    private void check(String what) {
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError(what + ": a writer failed: " + t, t);
        }
    }
}
