package ostore.node.cli;

import static ostore.node.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import ostore.archive.store.ArchiveNames;
import ostore.archive.store.FragmentStore;
import ostore.client.RingFile;
import ostore.client.RingSpec;
import ostore.node.cli.CliTest.Run;
import ostore.node.ring.EmbeddedRing;
import ostore.node.storage.RemoteFragmentStore;
import ostore.node.storage.StorageNode;
import ostore.ring.log.LogStores;
import ostore.store.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ostore up} runs ({@link EmbeddedRing}) starts the archive's storage nodes with the
 * ring and records them in {@code ring.conf}, where {@code ostore archive nodes} finds them.
 */
@Timeout(180)
class CliStorageTest {
    @TempDir
    Path dir;

    private EmbeddedRing start(int storageNodes) throws IOException {
        return EmbeddedRing.start(dir.resolve("ring"), "127.0.0.1", 0, Limits.DEFAULT, LogStores.Preference.SEGMENT,
                storageNodes);
    }

    @Test
    void upStartsNineStorageNodesThatAnswerAndTheRingFileListsThem() throws IOException {
        try (EmbeddedRing ring = EmbeddedRing.start(dir.resolve("ring"), "127.0.0.1", 0, Limits.DEFAULT,
                LogStores.Preference.SEGMENT)) {
            RingSpec file = RingFile.load(ring.ringFile());
            assertEquals(EmbeddedRing.DEFAULT_STORAGE_NODES, file.storageNodes().size());
            assertTrue(Files.readString(ring.ringFile()).contains("ostore-ring 3\n"), "storage nodes with routing keys");
            for (int j = 0; j < file.storageNodes().size(); j++) {
                RingSpec.StorageAddress a = file.storageNodes().get(j);
                assertEquals(ring.storageNodes().get(j).address(), a.target());
                try (RemoteFragmentStore store = RemoteFragmentStore.connect(a.target(), Duration.ofSeconds(10))) {
                    assertEquals(new FragmentStore.Usage(0, 0), store.usage(), "storage node " + j);
                }
                assertTrue(Files.isDirectory(dir.resolve("ring").resolve("storage-" + j)));
            }

            Run nodes = run("archive", "nodes", "--ring", ring.ringFile().toString());
            assertEquals(Main.OK, nodes.exit(), nodes.stderr());
            assertTrue(nodes.out().startsWith("9 storage nodes in " + ring.ringFile() + "\n"), nodes.out());
            for (int j = 0; j < 9; j++) {
                assertTrue(nodes.out().contains("storage node " + j + " " + file.storageNodes().get(j).target()
                        + ": up, 0 objects, 0 bytes\n"), nodes.out());
            }
        }
    }

    @Test
    void archiveNodesShowsUsageAndNamesANodeThatIsDown() throws IOException {
        try (EmbeddedRing ring = start(3)) {
            byte[] data = "one fragment".getBytes(StandardCharsets.UTF_8);
            try (RemoteFragmentStore store = RemoteFragmentStore.connect(ring.storageNodes().get(1).address())) {
                store.put(ArchiveNames.objectName(data), data);
            }
            StorageNode stopped = ring.storageNodes().get(2);
            stopped.close();

            Run json = run("archive", "nodes", "--json", "--ring", ring.ringFile().toString());
            assertEquals(Main.FAILED, json.exit(), json.out());
            List<String> lines = json.out().lines().toList();
            List<String> targets = ring.spec().storageNodes().stream().map(RingSpec.StorageAddress::target).toList();
            assertEquals(List.of(
                    "{\"id\":0,\"address\":\"" + targets.get(0) + "\",\"up\":true,\"objects\":0,\"bytes\":0}",
                    "{\"id\":1,\"address\":\"" + targets.get(1) + "\",\"up\":true,\"objects\":1,\"bytes\":" + data.length + "}",
                    "{\"id\":2,\"address\":\"" + targets.get(2) + "\",\"up\":false,\"error\":\"UNAVAILABLE\"}"), lines);

            Run text = run("archive", "nodes", "--ring", ring.ringFile().toString());
            assertEquals(Main.FAILED, text.exit(), text.out());
            assertTrue(text.out().contains("storage node 1 " + targets.get(1) + ": up, 1 objects, " + data.length + " bytes"),
                    text.out());
            assertTrue(text.out().contains("storage node 2 " + targets.get(2) + ": down (UNAVAILABLE"), text.out());
        }
    }

    @Test
    void aRingFileWithoutStorageNodesMeansNoArchiveUntilUpAddsThem() throws IOException {
        Path file;
        try (EmbeddedRing ring = start(0)) {
            file = ring.ringFile();
            assertFalse(ring.spec().archives());
            assertTrue(Files.readString(file).contains("ostore-ring 1\n"), "no storage nodes: the old format");
            Run nodes = run("archive", "nodes", "--ring", file.toString());
            assertEquals(Main.OK, nodes.exit(), nodes.stderr());
            assertEquals("archive disabled: " + file + " lists no storage nodes\n", nodes.out());
            assertEquals("archive disabled: " + file + " lists no storage nodes", UpCommand.describeArchive(ring.spec(), file));
        }
        List<String> targets;
        try (EmbeddedRing ring = start(2)) {
            assertEquals(2, ring.storageNodes().size());
            targets = ring.spec().storageNodes().stream().map(RingSpec.StorageAddress::target).toList();
            assertEquals(ring.spec(), RingFile.load(file));
        }
        try (EmbeddedRing ring = start(5)) {
            assertEquals(targets, ring.storageNodes().stream().map(StorageNode::address).toList(),
                    "a ring file that lists storage nodes keeps them");
        }
    }

    @Test
    void storageCommandRefusesABadListenAddress() {
        Run bad = run("storage", "--dir", dir.resolve("s").toString(), "--listen", "localhost");
        assertEquals(Main.USAGE, bad.exit(), bad.stderr());
        assertTrue(bad.stderr().contains("--listen 'localhost' must be HOST:PORT"), bad.stderr());
        Run port = run("storage", "--dir", dir.resolve("s").toString(), "--listen", "127.0.0.1:http");
        assertEquals(Main.USAGE, port.exit(), port.stderr());
        assertTrue(port.stderr().contains("the port must be a number in 0..65535"), port.stderr());
    }
}
