package ostore.ring.log;

import java.util.concurrent.CompletableFuture;

/** A live feed of one color's records; closing it stops delivery after the current record. */
public interface Subscription extends AutoCloseable {
    /**
     * Completes normally when the subscription is closed, exceptionally when delivery stopped on its
     * own: the consumer threw, or the log was trimmed past the next position to deliver.
     */
    CompletableFuture<Void> done();

    @Override
    void close();
}
