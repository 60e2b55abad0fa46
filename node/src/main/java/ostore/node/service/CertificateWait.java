package ostore.node.service;

import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import ostore.crypto.Aguid;
import ostore.store.VersionStore;

/**
 * A replica may store a version before it holds the version's certificate: it executed the batch
 * and is still gathering the 2f+1 signatures (they are on their way, or it missed them and asks
 * its peers; see docs/protocol.md, "Certificates for every version"). A read of such a version
 * waits here, polling the store, for at most {@link #WAIT_MILLIS}; then it is answered UNAVAILABLE
 * with a message that says so, and the SDK asks another replica. Nothing blocks a gRPC thread.
 */
final class CertificateWait implements AutoCloseable {
    /** How long a read waits for a certificate being gathered. */
    static final long WAIT_MILLIS = 2_000;
    /** Reads that may wait at once; more are answered UNAVAILABLE at once rather than queue up. */
    static final int MAX_WAITING = 1024;
    private static final long POLL_MILLIS = 10;

    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    private final VersionStore store;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "certificate-wait");
        t.setDaemon(true);
        return t;
    });

    CertificateWait(VersionStore store) {
        this.store = store;
    }

    /** Completes once version {@code seq} of {@code aguid} has its certificate, or fails UNAVAILABLE after the wait. */
    CompletableFuture<Void> certified(Aguid aguid, long seq) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (store.certificate(aguid, seq).isPresent()) {
            done.complete(null);
            return done;
        }
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            done.completeExceptionally(stillGathering(aguid, seq, "and " + MAX_WAITING + " reads wait already"));
            return done;
        }
        done.whenComplete((ignored, failure) -> waiting.decrementAndGet());
        poll(aguid, seq, done, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS));
        return done;
    }

    private void poll(Aguid aguid, long seq, CompletableFuture<Void> done, long deadlineNanos) {
        timer.schedule(() -> {
            try {
                if (store.certificate(aguid, seq).isPresent()) {
                    done.complete(null);
                } else if (System.nanoTime() - deadlineNanos >= 0) {
                    done.completeExceptionally(stillGathering(aguid, seq, "after " + WAIT_MILLIS + " ms"));
                } else {
                    poll(aguid, seq, done, deadlineNanos);
                }
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static RuntimeException stillGathering(Aguid aguid, long seq, String why) {
        return Statuses.status(Status.Code.UNAVAILABLE, "version " + seq + " of " + aguid.toHex() + " is committed"
                + " here, but this replica is still gathering its ring certificate (2f+1 signatures), " + why
                + "; retry, or read from another replica");
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
