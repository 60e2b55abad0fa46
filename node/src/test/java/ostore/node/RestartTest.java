package ostore.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import ostore.api.v1.HistoryEntry;
import ostore.client.OstoreClient;
import ostore.client.Selectors;
import ostore.client.UpdateResult;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;
import ostore.crypto.Vguid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node closed and started again on the same directory serves exactly what it had. */
class RestartTest {
    @TempDir
    Path dir;

    @Test
    void everyVersionAndHistoryEntrySurvivesARestart() throws Exception {
        SigningKey key = TestNode.newKey();
        List<Vguid> versions;
        List<HistoryEntry> history;
        Aguid aguid;
        try (TestNode first = TestNode.start(dir); OstoreClient client = first.client(key)) {
            aguid = client.aguidOf("kept");
            client.put("kept", EndToEndTest.bytes(100_000, 1));
            client.submit(EndToEndTest.appendIf(aguid, 7, "never"));
            UpdateResult second = client.put("kept", EndToEndTest.text("second"));
            versions = List.of(client.read(aguid, Selectors.seq(1)).vguid(), second.vguid());
            history = client.history(aguid, 0, 0);
        }
        try (TestNode again = TestNode.start(dir); OstoreClient client = again.client(key)) {
            assertArrayEquals(EndToEndTest.bytes(100_000, 1), client.read(aguid, Selectors.seq(1)).data());
            assertArrayEquals(EndToEndTest.text("second"), client.read(aguid, Selectors.latest()).data());
            assertEquals(versions, List.of(client.read(aguid, Selectors.seq(1)).vguid(),
                    client.read(aguid, Selectors.latest()).vguid()));
            assertEquals(history, client.history(aguid, 0, 0));

            UpdateResult third = client.submit(EndToEndTest.appendIf(aguid, 2, "!"));
            assertTrue(third.committed());
            assertEquals(3, third.root().seq());
            assertEquals(versions.get(1), third.root().predecessor().orElseThrow());
        }
    }
}
