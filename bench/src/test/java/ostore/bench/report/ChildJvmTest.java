package ostore.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A driver's JVM: its lines come back, its failures are named, and nothing it started outlives it. */
@Timeout(120)
class ChildJvmTest {
    /** The child: prints its arguments as lines, then does what the first one says. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            for (String a : args) {
                System.out.println(a);
            }
            System.err.println("child's log line");
            switch (args[0]) {
                case "fail" -> System.exit(3);
                case "hang" -> {
                    // A grandchild, as EtcdDriver starts etcd members: it must be stopped too.
                    Process sleeper = new ProcessBuilder("sleep", "600").start();
                    System.err.println("grandchild " + sleeper.pid());
                    System.err.flush();
                    Thread.sleep(600_000);
                }
                default -> { }
            }
        }
    }

    @Test
    void linesComeBackAndTheLogHoldsStandardError(@TempDir Path dir) throws Exception {
        ChildJvm.Output out = ChildJvm.run(ChildJvm.command(List.of(), Child.class.getName(),
                List.of("ok", "result x=1")), dir.resolve("logs/child.log"), Duration.ofMinutes(1));
        assertEquals(List.of("ok", "result x=1"), out.lines());
        assertEquals(List.of("result x=1"), out.linesStartingWith("result "));
        assertTrue(Files.readString(out.log()).contains("child's log line"));
    }

    @Test
    void aNonZeroExitIsAFailureNamingTheStatusAndTheLog(@TempDir Path dir) {
        Path log = dir.resolve("child.log");
        ChildJvm.Failed f = assertThrows(ChildJvm.Failed.class, () -> ChildJvm.run(
                ChildJvm.command(List.of(), Child.class.getName(), List.of("fail")), log, Duration.ofMinutes(1)));
        assertTrue(f.getMessage().contains("exited with status 3"), f.getMessage());
        assertTrue(f.getMessage().contains(log.toString()), f.getMessage());
        assertTrue(f.getMessage().contains("child's log line"), f.getMessage());
        assertEquals(List.of("fail"), f.partial().lines(), "what it printed before failing is kept");
    }

    @Test
    void aChildPastItsLimitIsKilledWithWhatItStarted(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("child.log");
        // The limit is what ends the child here; nothing about speed is asserted.
        ChildJvm.Failed f = assertThrows(ChildJvm.Failed.class, () -> ChildJvm.run(
                ChildJvm.command(List.of(), Child.class.getName(), List.of("hang")), log, Duration.ofSeconds(5)));
        assertTrue(f.getMessage().contains("ran past its limit of 5 s and was killed"), f.getMessage());
        long grandchild = Files.readAllLines(log).stream().filter(l -> l.startsWith("grandchild "))
                .mapToLong(l -> Long.parseLong(l.substring("grandchild ".length()))).findFirst()
                .orElseThrow(() -> new AssertionError("the child never said its grandchild's pid"));
        assertFalse(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false),
                "the child's own child (pid " + grandchild + ") is gone too");
    }
}
