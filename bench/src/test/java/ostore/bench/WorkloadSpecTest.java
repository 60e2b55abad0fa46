package ostore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The row specs a suite passes its driver children: what parses, and what each mistake is called. */
class WorkloadSpecTest {
    private static final Set<String> KNOWN = Set.of("a", "b", "c-latest");

    @Test
    void parsesEveryField() {
        WorkloadSpec s = WorkloadSpec.parse("c-latest:4:200:0:4096", KNOWN);
        assertEquals(new WorkloadSpec("c-latest", 4, 200, 0, 4096), s);
        assertEquals("c-latest:4:200:0:4096", s.toString());
    }

    @Test
    void namesTheSpecAndTheFieldThatIsWrong() {
        assertEquals("spec 'a:1:2:3' is not WORKLOAD:CLIENTS:OPS_PER_CLIENT:WARMUP_PER_CLIENT:PAYLOAD_BYTES: it has 4"
                + " fields, not 5", error("a:1:2:3"));
        assertEquals("spec 'a' is not WORKLOAD:CLIENTS:OPS_PER_CLIENT:WARMUP_PER_CLIENT:PAYLOAD_BYTES: it has 1"
                + " field, not 5", error("a"));
        assertEquals("spec 'a:1:2:3:4:5' is not WORKLOAD:CLIENTS:OPS_PER_CLIENT:WARMUP_PER_CLIENT:PAYLOAD_BYTES: it"
                + " has 6 fields, not 5", error("a:1:2:3:4:5"));
        assertEquals("spec 'e:1:2:3:4096': unknown workload 'e'; this driver runs a, b, c-latest",
                error("e:1:2:3:4096"));
        assertEquals("spec 'a:x:2:3:4096': CLIENTS 'x' is not a whole number", error("a:x:2:3:4096"));
        assertEquals("spec 'a:0:2:3:4096': CLIENTS must be >= 1, not 0", error("a:0:2:3:4096"));
        assertEquals("spec 'a:1:0:3:4096': OPS_PER_CLIENT must be >= 1, not 0", error("a:1:0:3:4096"));
        assertEquals("spec 'a:1:2:-1:4096': WARMUP_PER_CLIENT must be >= 0, not -1", error("a:1:2:-1:4096"));
        assertEquals("spec 'a:1:2:3:': PAYLOAD_BYTES '' is not a whole number", error("a:1:2:3:"));
        assertEquals("spec 'a:1:2:3:99999999999': PAYLOAD_BYTES '99999999999' is not a whole number",
                error("a:1:2:3:99999999999"));
    }

    @Test
    void theSuiteRefusesNoSpecsAndWorkloadsItDoesNotRun() {
        assertEquals("no SPEC given: name at least one WORKLOAD:CLIENTS:OPS_PER_CLIENT:WARMUP_PER_CLIENT:PAYLOAD_BYTES",
                assertThrows(IllegalArgumentException.class, () -> RingWorkloads.parse(List.of())).getMessage());
        assertEquals("spec 'e-all-up:1:1:0:4096': unknown workload 'e-all-up'; this driver runs a, b, c-latest,"
                + " c-old, d", assertThrows(IllegalArgumentException.class,
                        () -> RingWorkloads.parse(List.of("a:1:1:0:4096", "e-all-up:1:1:0:4096"))).getMessage());
        assertEquals(List.of(new WorkloadSpec("d", 1, 2, 0, 2 << 20)), RingWorkloads.parse(List.of("d:1:2:0:2097152")));
    }

    @Test
    void readObjectsGetTheirWarmUpInVersionsAndAtLeastTheMinimum() {
        assertEquals(50, WorkloadSpec.parse("c-old:4:200:50:4096").preparedVersions());
        assertEquals(WorkloadSpec.MIN_PREPARED_VERSIONS, WorkloadSpec.parse("c-latest:1:1:0:1").preparedVersions());
        assertEquals(true, WorkloadSpec.parse("d:1:10:3:2097152").updates());
        assertEquals(false, WorkloadSpec.parse("c-latest:1:1:0:1").updates());
        assertEquals("spec 'f:1:1:1:1': unknown workload 'f'; this driver runs a, b, c-latest, c-old, d",
                assertThrows(IllegalArgumentException.class, () -> WorkloadSpec.parse("f:1:1:1:1")).getMessage());
    }

    private static String error(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> WorkloadSpec.parse(spec, KNOWN)).getMessage();
    }
}
