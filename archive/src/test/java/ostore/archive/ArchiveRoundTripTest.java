package ostore.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import ostore.archive.codec.Codecs;
import ostore.archive.fragment.CodeParams;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Archive then restore, byte for byte, over file-backed storage nodes, for sizes at every edge:
 * empty, one byte, one block, block and stripe boundaries plus and minus one, many stripes; with
 * RS(6, 3) on 9 nodes and RS(4, 2) on 6, through both the ISA-L and the pure-Java codec.
 */
class ArchiveRoundTripTest {
    private static final int BLOCK = 1024;

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String codec : List.of("java", "auto")) {
            // RS(6,3), shards of 1000 bytes: a stripe holds 6000 bytes, not a multiple of the block.
            CodeParams small63 = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 6, 3, 1000);
            for (long size : new long[] {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 5999, 6000, 6001, 12_000, 12_001, 50_000}) {
                cases.add(Arguments.of(codec, small63, 9, size));
            }
            CodeParams small42 = new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 4, 2, 512);
            for (long size : new long[] {0, 1, BLOCK, 2047, 2048, 2049, 20_000}) {
                cases.add(Arguments.of(codec, small42, 6, size));
            }
        }
        // A few MiB over many 384 KiB stripes with real-sized shards.
        cases.add(Arguments.of("auto", new CodeParams(CodeParams.REED_SOLOMON_CAUCHY, 6, 3, 64 << 10), 9,
                (3L << 20) + 12_345));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} codec, {1}, {2} nodes, {3} bytes")
    @MethodSource("cases")
    void restoresExactlyWhatWasArchived(String codec, CodeParams code, int nodeCount, long size) throws Exception {
        String old = System.setProperty(Codecs.PROPERTY, codec);
        try (Cluster cluster = new Cluster(dir, nodeCount, code)) {
            Versions.Version v = Versions.first(Versions.randomBlocks(size, size, BLOCK));
            WriteReport written = cluster.archive(v, Optional.empty());
            assertTrue(written.complete(), "nothing down, so every fragment lands: " + written.unplaced());
            assertEquals(size, written.archivedBytes());
            assertEquals(code.stripeCount(size) * code.totalShards(), written.fragmentsPlaced());
            assertEquals(nodeCount, written.manifestNodes().size(), "the manifest goes to every node");

            CollectingSink sink = new CollectingSink();
            List<long[]> progress = new ArrayList<>();
            RestoreReport report = new Restorer(cluster.nodes, Versions.checker()).restore(Versions.AGUID, 1, sink,
                    (done, total) -> progress.add(new long[] {done, total}));
            assertArrayEquals(v.content(), sink.committed);
            assertEquals(v.root(), sink.root);
            assertArrayEquals(v.certificate(), sink.certificate);
            assertEquals(v.root().vguid(), report.vguid());
            assertEquals(written.manifestName(), report.manifestName());
            assertEquals(size, report.bytes());
            assertEquals(code.stripeCount(size) * code.dataShards(), report.fragmentsFetched(),
                    "all data fragments are there, so exactly k per stripe are fetched and nothing is decoded");
            assertTrue(report.corrupt().isEmpty() && report.nodesDown().isEmpty());
            assertArrayEquals(new long[] {size, size}, progress.getLast());
        } finally {
            if (old == null) {
                System.clearProperty(Codecs.PROPERTY);
            } else {
                System.setProperty(Codecs.PROPERTY, old);
            }
        }
    }
}
