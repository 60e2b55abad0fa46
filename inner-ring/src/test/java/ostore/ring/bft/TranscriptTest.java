package ostore.ring.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Transcript tests of the replica core, in the manner of etcd-io/raft's {@code testdata}: each file
 * under {@code src/test/resources/transcripts} is a scenario of commands (messages and completions
 * in) each followed by what the watched replica of a {@link TranscriptRing} did (messages and
 * effects out), one line each. A file reads as the protocol's story; a change in behaviour shows as
 * a diff of it.
 *
 * <p>Format: blocks separated by blank lines; lines starting with {@code #} are comments; a block is
 * a command line, a {@code ----} line, and the expected output. Run with
 * {@code -Dostore.transcripts.rewrite=true} to write the actual output into the files (then read
 * the diff before committing it).
 *
 * <p>Commands: {@code ring watch=R [checkpoint=K] [timeout-ms=T] [colors=C]} (first);
 * {@code submit NAME [object=O] to=A,B,..}; {@code deliver [from=R] [to=R] [type=T]} (the frames
 * queued now); {@code drop [from=R] [to=R]}; {@code sync} (the watched replica's queued appends
 * become durable); {@code apply} (its store work runs and answers); {@code stabilize};
 * {@code tick MS}; {@code isolate R} / {@code rejoin R}; {@code crash R}; {@code status}.
 */
class TranscriptTest {
    private static final Path DIR = Path.of("src/test/resources/transcripts");
    private static final boolean REWRITE = Boolean.getBoolean("ostore.transcripts.rewrite");

    /** One block: the lines before the command (comments, blank lines), the command, the output. */
    private record Block(List<String> preamble, String command, List<String> output) {}

    @TestFactory
    Stream<DynamicTest> transcripts() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no transcripts in " + DIR.toAbsolutePath());
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
    }

    private static void run(Path file) throws IOException {
        List<Block> blocks = parse(Files.readAllLines(file, StandardCharsets.UTF_8), file);
        List<Block> actual = new ArrayList<>();
        TranscriptRing ring = null;
        for (Block b : blocks) {
            List<String> words = List.of(b.command().trim().split("\\s+"));
            Map<String, String> args = new HashMap<>();
            List<String> plain = new ArrayList<>();
            for (String w : words.subList(1, words.size())) {
                int eq = w.indexOf('=');
                if (eq > 0) {
                    args.put(w.substring(0, eq), w.substring(eq + 1));
                } else {
                    plain.add(w);
                }
            }
            String cmd = words.getFirst();
            if (cmd.equals("ring")) {
                RingConfig.Params params = new RingConfig.Params(4, 1_000, intArg(args, "checkpoint", 16), 64,
                        intArg(args, "timeout-ms", 1_000) * 1_000L, 5_000_000);
                ring = new TranscriptRing(intArg(args, "watch", 1), params, intArg(args, "colors", 1));
            } else if (ring == null) {
                throw new IllegalArgumentException(file + ": the first command must be ring, not " + cmd);
            } else {
                execute(ring, cmd, plain, args);
            }
            List<String> out = ring.take();
            actual.add(new Block(b.preamble(), b.command(), out));
            if (!REWRITE) {
                assertEquals(String.join("\n", b.output()), String.join("\n", out),
                        file.getFileName() + ": output of \"" + b.command() + "\"");
            }
        }
        if (REWRITE) {
            Files.writeString(file, render(actual, Files.readAllLines(file, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        }
    }

    private static void execute(TranscriptRing ring, String cmd, List<String> plain, Map<String, String> args) {
        switch (cmd) {
            case "submit" -> ring.submit(plain.getFirst(), args.getOrDefault("object", "o"),
                    Arrays.stream(args.get("to").split(",")).map(Integer::parseInt).toList());
            case "deliver" -> ring.deliver(intOrNull(args, "from"), intOrNull(args, "to"), args.get("type"));
            case "drop" -> ring.drop(intOrNull(args, "from"), intOrNull(args, "to"));
            case "sync" -> ring.sync();
            case "apply" -> ring.apply();
            case "stabilize" -> ring.stabilize();
            case "tick" -> ring.tick(Long.parseLong(plain.getFirst()) * 1_000);
            case "isolate" -> ring.isolate(Integer.parseInt(plain.getFirst()), true);
            case "rejoin" -> ring.isolate(Integer.parseInt(plain.getFirst()), false);
            case "crash" -> ring.crash(Integer.parseInt(plain.getFirst()));
            case "status" -> ring.status();
            default -> throw new IllegalArgumentException("unknown transcript command " + cmd);
        }
    }

    private static int intArg(Map<String, String> args, String key, int otherwise) {
        return args.containsKey(key) ? Integer.parseInt(args.get(key)) : otherwise;
    }

    private static Integer intOrNull(Map<String, String> args, String key) {
        return args.containsKey(key) ? Integer.valueOf(args.get(key)) : null;
    }

    private static List<Block> parse(List<String> lines, Path file) {
        List<Block> blocks = new ArrayList<>();
        List<String> preamble = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                preamble.add(line);
                i++;
                continue;
            }
            if (i + 1 >= lines.size() || !lines.get(i + 1).equals("----")) {
                throw new IllegalArgumentException(file + " line " + (i + 2) + ": expected ---- after the command " + line);
            }
            List<String> output = new ArrayList<>();
            int j = i + 2;
            while (j < lines.size() && !lines.get(j).isBlank()) {
                output.add(lines.get(j));
                j++;
            }
            blocks.add(new Block(List.copyOf(preamble), line, output));
            preamble.clear();
            i = j;
        }
        return blocks;
    }

    private static String render(List<Block> blocks, List<String> original) {
        StringBuilder b = new StringBuilder();
        for (Block block : blocks) {
            block.preamble().forEach(l -> b.append(l).append('\n'));
            b.append(block.command()).append('\n').append("----\n");
            block.output().forEach(l -> b.append(l).append('\n'));
        }
        // Whatever followed the last block (comments, blank lines) stays.
        int tail = original.size();
        while (tail > 0 && (original.get(tail - 1).isBlank() || original.get(tail - 1).startsWith("#"))) {
            tail--;
        }
        original.subList(tail, original.size()).stream().filter(l -> !l.isBlank()).forEach(l -> b.append('\n').append(l));
        return b.toString();
    }
}
