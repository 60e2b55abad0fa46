package ostore.ring.log;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which store {@link LogStores#open} picks, and that it says so in exactly one line. Cases that need
 * llpl to load follow {@link LlplRequirement}; the cases where llpl cannot load go through
 * {@link LogStores#choose}, the decision itself, because this JVM cannot unload libpmemobj.
 */
class LogStoresTest {
    private static final LogStoreConfig CONFIG = new LogStoreConfig(2, 4096, 16L << 20, 8 * 1024);
    private static final byte[] RECORD = "kept".getBytes(UTF_8);

    @TempDir
    Path dir;

    /** Held strongly so the logger that carries the handler is the one LogStores writes to. */
    private final Logger julLogger = Logger.getLogger(LogStores.class.getName());
    private final List<LogRecord> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            lines.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void listen() {
        julLogger.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        julLogger.removeHandler(capture);
        System.clearProperty(LogStores.PROPERTY);
    }

    private String theOneLine() {
        assertEquals(1, lines.size(), () -> "one start-up line, got " + lines.stream().map(LogRecord::getMessage).toList());
        assertEquals(Level.INFO, lines.getFirst().getLevel());
        String line = lines.getFirst().getMessage();
        lines.clear();
        return line;
    }

    private void createWithOneRecord(LogStores.Preference preference) {
        try (LogStore store = LogStores.open(dir, preference, CONFIG)) {
            store.append(List.of(new ColorBatch(1, List.of(RECORD))));
        }
        lines.clear();
    }

    private static void assertHoldsTheRecord(LogStore store) {
        assertEquals(1, store.nextPosition(1));
        assertArrayEquals(RECORD, store.read(1, 0, 1).getFirst().payload());
    }

    @Test
    void autoPicksLlplWhereItLoads() {
        LlplRequirement.assumeLlpl();
        try (LogStore store = LogStores.open(dir, LogStores.Preference.AUTO, CONFIG)) {
            assertEquals("llpl", store.kind());
        }
        assertTrue(Files.isRegularFile(dir.resolve(LogStores.POOL_FILE)));
        assertFalse(Files.exists(dir.resolve(LogStores.SEGMENT_DIR)));
        String line = theOneLine();
        assertTrue(line.startsWith("shared log: llpl (libpmemobj.so.1) pool "), line);
    }

    @Test
    void autoKeepsTheSegmentStoreAlreadyInTheDirectory() {
        createWithOneRecord(LogStores.Preference.SEGMENT);
        try (LogStore store = LogStores.open(dir, LogStores.Preference.AUTO, CONFIG)) {
            assertEquals("segment", store.kind());
            assertHoldsTheRecord(store);
        }
        assertFalse(Files.exists(dir.resolve(LogStores.POOL_FILE)), "auto must not create a pool beside segments");
        String line = theOneLine();
        assertTrue(line.startsWith("shared log: pure-Java segment-file store in "), line);
        if (LogStores.llplProblem().isEmpty()) {
            assertTrue(line.endsWith("(existing store)"), line);
        }
    }

    @Test
    void autoKeepsTheLlplPoolAlreadyInTheDirectory() {
        LlplRequirement.assumeLlpl();
        createWithOneRecord(LogStores.Preference.LLPL);
        try (LogStore store = LogStores.open(dir, LogStores.Preference.AUTO, CONFIG)) {
            assertEquals("llpl", store.kind());
            assertHoldsTheRecord(store);
        }
        assertFalse(Files.exists(dir.resolve(LogStores.SEGMENT_DIR)));
    }

    @Test
    void segmentPreferenceIsHonouredAndSaysWhy() {
        try (LogStore store = LogStores.open(dir, LogStores.Preference.SEGMENT, CONFIG)) {
            assertEquals("segment", store.kind());
        }
        String line = theOneLine();
        if (LogStores.llplProblem().isEmpty()) {
            assertTrue(line.endsWith("(chosen by preference)"), line);
        }
    }

    @Test
    void forcingSegmentOnAnLlplDirectoryFailsAndChangesNothing() {
        LlplRequirement.assumeLlpl();
        createWithOneRecord(LogStores.Preference.LLPL);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LogStores.open(dir, LogStores.Preference.SEGMENT, CONFIG));
        assertEquals(dir + " holds an llpl log but the segment store was required; a log never changes store in place",
                e.getMessage());
        assertFalse(Files.exists(dir.resolve(LogStores.SEGMENT_DIR)));
        assertTrue(lines.isEmpty(), "a refused open logs no start-up line");
    }

    @Test
    void forcingLlplOnASegmentDirectoryFailsAndChangesNothing() {
        createWithOneRecord(LogStores.Preference.SEGMENT);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LogStores.open(dir, LogStores.Preference.LLPL, CONFIG));
        assertEquals(dir + " holds a segment log but the llpl store was required; a log never changes store in place",
                e.getMessage());
        assertFalse(Files.exists(dir.resolve(LogStores.POOL_FILE)));
        try (LogStore store = LogStores.open(dir, LogStores.Preference.SEGMENT, CONFIG)) {
            assertHoldsTheRecord(store);
        }
    }

    @Test
    void propertyOverridesThePreference() {
        System.setProperty(LogStores.PROPERTY, " Segment ");
        try (LogStore store = LogStores.open(dir.resolve("a"), LogStores.Preference.LLPL, CONFIG)) {
            assertEquals("segment", store.kind());
        }
        LlplRequirement.assumeLlpl();
        System.setProperty(LogStores.PROPERTY, "llpl");
        try (LogStore store = LogStores.open(dir.resolve("b"), LogStores.Preference.SEGMENT, CONFIG)) {
            assertEquals("llpl", store.kind());
        }
    }

    @Test
    void unknownPropertyValueIsRefusedByName() {
        // The name the segment store had before it was renamed for what it does; it must not linger.
        System.setProperty(LogStores.PROPERTY, "mapped-file");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LogStores.open(dir, LogStores.Preference.AUTO, CONFIG));
        assertEquals("ostore.log.store (mapped-file) must be one of llpl, segment, auto", e.getMessage());
        assertFalse(Files.exists(dir.resolve(LogStores.SEGMENT_DIR)));
    }

    @Test
    void whereLlplCannotLoadAutoFallsBackButLlplAndExistingPoolsFailClearly() {
        Optional<String> problem = Optional.of("libpmemobj.so.1 not found (test)");
        Optional<String> loads = Optional.empty();
        assertEquals("segment", LogStores.choose(LogStores.Preference.AUTO, false, false, problem, dir));
        assertEquals("llpl", LogStores.choose(LogStores.Preference.AUTO, false, false, loads, dir));
        assertEquals("segment", LogStores.choose(LogStores.Preference.AUTO, false, true, loads, dir));
        assertEquals("llpl", LogStores.choose(LogStores.Preference.AUTO, true, false, loads, dir));

        IllegalStateException forced = assertThrows(IllegalStateException.class,
                () -> LogStores.choose(LogStores.Preference.LLPL, false, false, problem, dir));
        assertEquals("the llpl log store cannot load: libpmemobj.so.1 not found (test)", forced.getMessage());
        IllegalStateException pool = assertThrows(IllegalStateException.class,
                () -> LogStores.choose(LogStores.Preference.AUTO, true, false, problem, dir));
        assertEquals("the llpl log store cannot load and " + dir.resolve(LogStores.POOL_FILE)
                + " needs it: libpmemobj.so.1 not found (test)", pool.getMessage());
    }

    @Test
    void aDirectoryWithBothStoresIsRefused() {
        for (LogStores.Preference p : LogStores.Preference.values()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> LogStores.choose(p, true, true, Optional.empty(), dir));
            assertEquals(dir + " holds both an llpl pool and log segments; keep one", e.getMessage());
        }
    }
}
