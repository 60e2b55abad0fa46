package ostore.ring;

import java.util.concurrent.CompletableFuture;
import ostore.store.Outcome;

/**
 * The inner ring as the node sees it: it orders submitted updates through the shared log and
 * executes them, in log order, against the version store. A future completes once the update is
 * durable in the log and executed. In the foundation the ring has one replica; the BFT ring
 * implements the same interface for n = 3f+1.
 */
public interface Ring extends AutoCloseable {
    CompletableFuture<Outcome> submit(SubmittedUpdate update);

    /** Called on the execution thread after each update executes, in log order. Must not block. */
    void addExecutionListener(ExecutionListener listener);

    RingStatus status();

    @Override
    void close();
}
