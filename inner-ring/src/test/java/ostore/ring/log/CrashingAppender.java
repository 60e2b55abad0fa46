package ostore.ring.log;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The child process of {@link CrashAtomicityTest}: makes append calls from one thread, following
 * {@link #plan}, until it is killed, and prints a line only after the call that made it durable
 * returned: {@code A <call> <color> <first> [<color> <first>]} per append call and
 * {@code T <color> <upTo>} per trim. Payloads are a function of (color, position), so the parent can
 * check every surviving byte.
 *
 * <p>Arguments: {@code llpl|segment <directory> <first call>}; a run on a recovered store goes on
 * with the call after the last one that store holds. It halts when its standard input closes, so it
 * cannot outlive a parent that died without killing it.
 */
public final class CrashingAppender {
    /** Small segments, so the run rolls many of them and a kill can land inside a roll. */
    static final LogStoreConfig CONFIG = new LogStoreConfig(3, 4096, 32L << 20, 16 * 1024);
    /** Color 2 is trimmed as the run goes; 0 and 1 never are, so all their acknowledged records must stay. */
    static final int TRIMMED_COLOR = 2;
    static final int TRIM_EVERY_CALLS = 40;

    private CrashingAppender() {}

    /** One batch of a planned call. */
    record Planned(int color, int count) {}

    /** What append call {@code call} writes: one batch, and every fifth call a second color too. */
    static List<Planned> plan(long call) {
        int color = (int) (call % 3);
        Planned first = new Planned(color, 1 + (int) (call % 4));
        return call % 5 == 0 ? List.of(first, new Planned((color + 1) % 3, 1 + (int) (call % 3))) : List.of(first);
    }

    /** The payload of every record at {@code position} of {@code color}: 0 to 2999 bytes. */
    static byte[] payload(int color, long position) {
        SplittableRandom random = new SplittableRandom(color * 1_000_003L + position);
        byte[] bytes = new byte[random.nextInt(3000)];
        random.nextBytes(bytes);
        return bytes;
    }

    static LogStore open(String kind, Path dir) throws IOException {
        Files.createDirectories(dir);
        return switch (kind) {
            case "llpl" -> LlplLogStore.open(dir.resolve(LogStores.POOL_FILE), CONFIG);
            case "segment" -> SegmentLogStore.open(dir.resolve(LogStores.SEGMENT_DIR), CONFIG);
            default -> throw new IllegalArgumentException("kind (" + kind + ") must be llpl or segment");
        };
    }

    public static void main(String[] args) throws IOException {
        Thread.ofPlatform().daemon().start(CrashingAppender::haltWhenParentGoes);
        PrintStream out = System.out;
        LogStore store = open(args[0], Path.of(args[1]));
        for (long call = Long.parseLong(args[2]); ; call++) {
            List<ColorBatch> batches = new ArrayList<>();
            for (Planned p : plan(call)) {
                long first = store.nextPosition(p.color());
                List<byte[]> records = new ArrayList<>(p.count());
                for (int k = 0; k < p.count(); k++) {
                    records.add(payload(p.color(), first + k));
                }
                batches.add(new ColorBatch(p.color(), records));
            }
            long[] firsts = store.append(batches);
            StringBuilder line = new StringBuilder("A ").append(call);
            for (int b = 0; b < batches.size(); b++) {
                line.append(' ').append(batches.get(b).color()).append(' ').append(firsts[b]);
            }
            out.println(line);
            if (call % TRIM_EVERY_CALLS == TRIM_EVERY_CALLS - 1) {
                long upTo = Math.max(store.firstPosition(TRIMMED_COLOR), store.nextPosition(TRIMMED_COLOR) - 5);
                store.trim(TRIMMED_COLOR, upTo);
                out.println("T " + TRIMMED_COLOR + " " + upTo);
            }
            out.flush();
        }
    }

    private static void haltWhenParentGoes() {
        try {
            System.in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // A broken pipe means the parent is gone just as surely as end of input does.
        }
        Runtime.getRuntime().halt(3);
    }
}
