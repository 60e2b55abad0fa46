package ostore.ring.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A log pool's sizing: records are at most a quarter of the pool, so a small pool takes smaller updates. */
class LogStoreConfigTest {
    @Test
    void largePoolsKeepTheFullRecordLimit() {
        assertEquals(LogStoreConfig.MAX_RECORD_BYTES, LogStoreConfig.forPool(1024L << 20).maxRecordBytes());
        assertEquals(LogStoreConfig.MAX_RECORD_BYTES, LogStoreConfig.forPool(160L << 20).maxRecordBytes());
    }

    @Test
    void smallPoolsTakeRecordsOfAQuarterOfThePool() {
        LogStoreConfig small = LogStoreConfig.forPool(64L << 20);
        assertEquals(16 << 20, small.maxRecordBytes());
        assertEquals(64L << 20, small.poolBytes());
        assertEquals(1 << 20, LogStoreConfig.forPool(LogStoreConfig.MIN_POOL_BYTES).maxRecordBytes());
    }

    @Test
    void aPoolTooSmallForAnyUpdateIsRefusedWithItsSizeAndTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LogStoreConfig.forPool(LogStoreConfig.MIN_POOL_BYTES - 1));
        assertTrue(e.getMessage().contains(LogStoreConfig.POOL_MIB_PROPERTY), e.getMessage());
    }
}
