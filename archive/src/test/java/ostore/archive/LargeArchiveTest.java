package ostore.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import ostore.archive.fragment.CodeParams;
import ostore.crypto.Acl;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Domain;
import ostore.crypto.Hashing;
import ostore.crypto.VersionRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 100 MiB version with the default code, archived from blocks generated on demand and restored
 * into a sink that compares each block as it arrives: neither side holds the version, so this
 * also shows the writer and restorer stream. Off by default (disk and time); run with
 * {@code -Dostore.archive.large=true}.
 */
@EnabledIfSystemProperty(named = "ostore.archive.large", matches = "true")
class LargeArchiveTest {
    private static final int BLOCK = 64 << 10;
    private static final long SIZE = 100L << 20;

    @TempDir
    Path dir;

    private static byte[] block(int i) {
        byte[] b = new byte[(int) Math.min(BLOCK, SIZE - (long) i * BLOCK)];
        new Random(1000 + i).nextBytes(b);
        return b;
    }

    @Test
    void hundredMebibytesRoundTripWithThreeNodesDown() throws IOException {
        List<BlockListHash.Entry> entries = new ArrayList<>();
        Map<Bguid, Integer> index = new HashMap<>();
        for (int i = 0; (long) i * BLOCK < SIZE; i++) {
            byte[] b = block(i);
            entries.add(new BlockListHash.Entry(Bguid.ofBlock(b), b.length));
            index.put(entries.getLast().bguid(), i);
        }
        VersionRoot root = new VersionRoot(Versions.AGUID, 1, Optional.empty(), SIZE, entries.size(),
                BlockListHash.root(entries), 1, Acl.ownerOnly(Versions.OWNER.publicKey()),
                Hashing.hash(Domain.UPDATE, new byte[] {1}));
        try (Cluster cluster = new Cluster(dir, 9, CodeParams.DEFAULT)) {
            long[] last = new long[2];
            WriteReport w = new ArchiveWriter(cluster.nodes, CodeParams.DEFAULT).write(root, entries,
                    (bguid, length) -> block(index.get(bguid)), Optional.empty(), Versions.certificate(root, 3),
                    (done, total) -> {
                        last[0] = done;
                        last[1] = total;
                    });
            assertTrue(w.complete());
            assertArrayEquals(new long[] {SIZE, SIZE}, last);

            cluster.nodes.down(w.manifest().stripes().get(0).nodes().subList(0, 3).stream().mapToInt(i -> i).toArray());
            long[] compared = new long[1];
            BlockSink checking = new BlockSink() {
                @Override
                public void begin(VersionRoot r, byte[] certificate) {
                    assertEquals(root, r);
                }

                @Override
                public void accept(long i, Bguid bguid, byte[] bytes) {
                    assertArrayEquals(block((int) i), bytes, "block " + i);
                    compared[0] += bytes.length;
                }

                @Override
                public void commit() {}

                @Override
                public void abort() {
                    throw new AssertionError("restore aborted");
                }
            };
            RestoreReport r = new Restorer(cluster.nodes, Versions.checker()).restore(Versions.AGUID, 1, checking,
                    Progress.NONE);
            assertEquals(SIZE, compared[0]);
            assertEquals(SIZE, r.bytes());
            assertEquals(3, r.nodesDown().size());
        }
    }
}
