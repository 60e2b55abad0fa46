package ostore.node.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import ostore.crypto.Aguid;
import ostore.crypto.Hash32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica's archive queue keeps what it was told across reopening, in order, once per version. */
class ArchiveQueueTest {
    @TempDir
    Path dir;

    private static Aguid aguid(int b) {
        byte[] bytes = new byte[32];
        bytes[0] = (byte) b;
        return new Aguid(Hash32.of(bytes));
    }

    @Test
    void entriesSurviveReopeningInOrderAndAreQueuedOncePerVersion() throws IOException {
        Aguid a = aguid(1);
        Aguid b = aguid(2);
        try (ArchiveQueue q = ArchiveQueue.open(dir, 1_000)) {
            assertTrue(q.enqueue(b, 1, 1_000));
            assertTrue(q.enqueue(a, 1, 1_000));
            assertTrue(q.enqueue(a, 2, 1_001));
            assertFalse(q.enqueue(a, 2, 1_002), "attaching a certificate again queues nothing");
            assertEquals(3, q.size());
            q.sync();
        }
        try (ArchiveQueue q = ArchiveQueue.open(dir, 5_000)) {
            assertEquals(3, q.size());
            List<ArchiveQueue.Pending> all = q.scan(10);
            // Oldest first; within one millisecond, by object and then seq.
            assertEquals(List.of(a + "/1", b + "/1", a + "/2"),
                    all.stream().map(p -> p.aguid() + "/" + p.seq()).toList());
            assertEquals(1_000, q.oldest().orElseThrow().queuedAtMillis());
            ArchiveQueue.Pending first = all.getFirst();
            q.failed(first, 60_000, "stripe 0 was stored on 5 of 9 nodes");
            ArchiveQueue.Pending failed = q.pending(a, 1).orElseThrow();
            assertEquals(1, failed.attempts());
            assertEquals(60_000, failed.nextAttemptMillis());
            assertEquals("stripe 0 was stored on 5 of 9 nodes", failed.lastError());
        }
        try (ArchiveQueue q = ArchiveQueue.open(dir, 7_000)) {
            ArchiveQueue.Pending failed = q.pending(a, 1).orElseThrow();
            assertEquals(1, failed.attempts(), "the failure and its reason are kept");
            assertEquals(7_000, failed.nextAttemptMillis(), "a restart makes every entry due at once");
            Hash32 manifest = Hash32.of(new byte[32]);
            q.complete(failed, new ArchiveQueue.Done(manifest, 10, 9, 9, false, 7_001));
            assertEquals(2, q.size());
            assertTrue(q.pending(a, 1).isEmpty());
            assertEquals(new ArchiveQueue.Done(manifest, 10, 9, 9, false, 7_001), q.done(a, 1).orElseThrow());
            assertFalse(q.enqueue(a, 1, 8_000), "an archived version is not queued again");
        }
        ArchiveQueue closed = ArchiveQueue.open(dir, 9_000);
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.enqueue(b, 2, 9_001), "no call reaches a closed DB");
    }
}
