package ostore.ring.log;

import java.nio.file.Path;
import ostore.ring.sim.MemoryLogStore;

/** The simulator's in-memory log store keeps the same contract as the real stores. */
class MemoryLogStoreContractTest extends LogStoreContractTest {
    /** The durable state, kept across {@code reopen()} as a disk would be; one per test instance. */
    private MemoryLogStore.Media media;

    @Override
    LogStore openStore(Path dir, LogStoreConfig config) {
        if (media == null) {
            media = new MemoryLogStore.Media(config);
        }
        return MemoryLogStore.open(media);
    }

    @Override
    String expectedKind() {
        return "memory";
    }
}
