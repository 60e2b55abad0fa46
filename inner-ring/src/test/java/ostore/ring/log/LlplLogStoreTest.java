package ostore.ring.log;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the contract on llpl, under {@link LlplRequirement}. */
class LlplLogStoreTest extends LogStoreContractTest {
    @BeforeAll
    static void requireLlpl() {
        LlplRequirement.assumeLlpl();
    }

    @Override
    LogStore openStore(Path dir, LogStoreConfig config) {
        return LlplLogStore.open(dir.resolve("log.pool"), config);
    }

    @Override
    String expectedKind() {
        return "llpl";
    }

    @Test
    void poolWithAnotherColorCountIsRefused() {
        log.close();
        LogStoreConfig other = new LogStoreConfig(8, CONFIG.maxRecordBytes(), CONFIG.poolBytes(), CONFIG.segmentBytes());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> openStore(dir, other));
        assertTrue(e.getMessage().contains("holds 4 colors; configured 8"), e.getMessage());
        log = LocalSharedLog.over(openStore(dir, CONFIG));
    }
}
