package ostore.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import ostore.bench.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline with a tiny load: every part runs in its own JVM (a real ring, a real
 * three-member etcd cluster, real storage nodes, a JMH fork), every SPEC comes back as a row, and
 * the report and the plot are written. Nothing about speed is asserted.
 */
@Timeout(600)
class SuiteTest {
    @Test
    void theTinyModeRunsEveryPartAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Suite.Measured m = Suite.run(Suite.Mode.TINY, Set.copyOf(Suite.PARTS), root, dir.resolve("logs"));
        assertEquals(List.of(), m.failures());

        Set<String> ostore = keys(m.results(), "ostore");
        for (String spec : Suite.Mode.TINY.ringSpecs()) {
            String[] f = spec.split(":");
            assertTrue(ostore.contains(f[0] + "/" + f[1]), "ostore row for " + spec + " in " + ostore);
        }
        Set<String> etcd = keys(m.results(), "etcd");
        for (String spec : Suite.Mode.TINY.etcdSpecs()) {
            String[] f = spec.split(":");
            assertTrue(etcd.contains(f[0] + "/" + f[1]), "etcd row for " + spec + " in " + etcd);
        }
        for (String w : List.of("e-all-up", "e-m-down", "e-small", "pond-archive")) {
            assertTrue(m.results().stream().anyMatch(r -> r.workload().equals(w)), w + " in " + m.results());
        }
        // Every ostore row carries its GC pauses, recorded under the collector the suite asks for.
        assertTrue(m.results().stream().filter(r -> r.system().equals("ostore"))
                .allMatch(r -> r.gc() != null && r.gc().collector().equals("ZGC (generational)")), m.results().toString());
        assertTrue(m.info().logStore().startsWith("llpl") || m.info().logStore().startsWith("pure-Java"),
                "the report names the ring's log store: " + m.info().logStore());
        assertFalse(m.micro().isEmpty(), "the JMH part gave a row");
        assertFalse(m.phases().isEmpty(), "the ring gave its phases");

        Path file = dir.resolve("benchmarks.md");
        Report.write(m, file);
        String md = Files.readString(file);
        assertTrue(md.contains("### ostore / etcd, point by point"), md);
        for (String w : List.of("a", "b", "c-latest", "c-old")) {
            assertTrue(md.contains("\n| " + w + " | "), "a ratio row for " + w + ":\n" + md);
        }
        assertFalse(md.contains("not measured in this run"), "every target has its figure:\n" + md);
        BufferedImage png = ImageIO.read(dir.resolve(Report.PLOT).toFile());
        assertEquals(Plot.WIDTH, png.getWidth());
    }

    private static Set<String> keys(List<Result> rs, String system) {
        return rs.stream().filter(r -> r.system().equals(system)).map(r -> r.workload() + "/" + r.clients())
                .collect(Collectors.toSet());
    }
}
