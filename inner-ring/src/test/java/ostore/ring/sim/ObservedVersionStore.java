package ostore.ring.sim;

import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import ostore.crypto.Aguid;
import ostore.store.AuthenticatedUpdate;
import ostore.store.ForwardingVersionStore;
import ostore.store.Outcome;
import ostore.store.memory.MemoryVersionStore;

/**
 * The version store a simulated replica gets: a {@link MemoryVersionStore} that reports every
 * apply to the checkers. Observing here, below the replica, means a replica's own bookkeeping
 * cannot hide what it really executed.
 */
final class ObservedVersionStore extends ForwardingVersionStore {
    private final MemoryVersionStore store;
    private final int replica;
    private final String instance;
    private final ToIntFunction<Aguid> colorOf;
    private final Consumer<Executed> observer;

    ObservedVersionStore(MemoryVersionStore store, int replica, String instance, ToIntFunction<Aguid> colorOf,
            Consumer<Executed> observer) {
        super(store);
        this.store = store;
        this.replica = replica;
        this.instance = instance;
        this.colorOf = colorOf;
        this.observer = observer;
    }

    /** The store as a crash leaves it: only what the last {@link #sync()} made durable. */
    MemoryVersionStore crash() {
        return store.crashed();
    }

    /** The store trusts the caller's color; the ring must pass the color of the object it orders. */
    @Override
    public Outcome apply(AuthenticatedUpdate update, long timestampMicros, int color, long position) {
        assert color == colorOf.applyAsInt(update.update().aguid())
                : "replica " + replica + " applied an update of color " + colorOf.applyAsInt(update.update().aguid())
                        + " as color " + color;
        Outcome o = store.apply(update, timestampMicros, color, position);
        observer.accept(new Executed(replica, instance, color, position, timestampMicros, update,
                Executed.Effect.of(o)));
        return o;
    }

    // install(): installed records were executed (and observed) at the replica that served them, not here.
}
