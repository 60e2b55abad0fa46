package ostore.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's page cache, emptied before a measured restore where this process may (root, on
 * Linux), so a restore reads its fragments from the disk rather than from memory the archive wrote
 * them through seconds before: the figure a user restoring last year's data would see. Where it
 * may not, rows say "page cache" instead of "cold cache".
 */
final class PageCache {
    private static final Path DROP = Path.of("/proc/sys/vm/drop_caches");

    private PageCache() {}

    /** Whether this process can empty the page cache. */
    static boolean canDrop() {
        return Files.isWritable(DROP);
    }

    /**
     * Writes dirty pages back ({@code sync}: dropping leaves dirty pages in place), then drops the
     * clean ones; does nothing where {@link #canDrop()} is false.
     */
    static void drop() throws IOException, InterruptedException {
        if (!canDrop()) {
            return;
        }
        Process sync = new ProcessBuilder("sync").redirectErrorStream(true).start();
        if (!sync.waitFor(60, TimeUnit.SECONDS) || sync.exitValue() != 0) {
            sync.destroyForcibly();
            throw new IOException("sync did not finish within 60 s before dropping the page cache");
        }
        Files.writeString(DROP, "1", StandardCharsets.US_ASCII);
    }
}
