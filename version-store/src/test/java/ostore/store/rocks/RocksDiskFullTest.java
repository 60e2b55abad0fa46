package ostore.store.rocks;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store whose disk fills says so in every failure that follows, not only in the first: RocksDB
 * answers later calls with its own words ("Writer has previous error"), and a replica decides by
 * the failure it meets first, on whichever thread, whether to wait for room and start again.
 * Runs on a small tmpfs, mounted for the test where the machine lets it (as root).
 */
class RocksDiskFullTest {
    private static final String NO_SPACE = "No space left on device";

    @TempDir
    Path dir;

    @Test
    void everyFailureAfterTheDiskFilledSaysTheDiskIsFull() throws Exception {
        Path mount = dir.resolve("small-disk");
        Files.createDirectories(mount);
        Assumptions.assumeTrue(mountTmpfs(mount), "needs root to mount a small tmpfs");
        try {
            Files.write(mount.resolve("ballast"), new byte[3 << 20]);
            try (RocksHandles db = RocksHandles.open(mount.resolve("store"))) {
                byte[] value = new byte[256 << 10];
                IllegalStateException first = assertThrows(IllegalStateException.class, () -> {
                    for (int i = 0; i < 1_000; i++) {
                        db.put(RocksHandles.Family.HISTORY, ("k" + i).getBytes(), value);
                    }
                });
                assertTrue(first.getMessage().contains(NO_SPACE), first.getMessage());
                IllegalStateException sync = assertThrows(IllegalStateException.class, db::syncWal);
                assertTrue(sync.getMessage().contains(NO_SPACE), sync.getMessage());
            } catch (IllegalStateException closing) {
                // Closing a store that cannot write may fail too; what the test checks came before.
            }
        } finally {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
        }
    }

    private static boolean mountTmpfs(Path at) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "ostore-rocks-full-test", at.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
