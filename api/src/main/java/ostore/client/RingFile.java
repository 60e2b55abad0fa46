package ostore.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ostore.crypto.PublicKey;

/**
 * The ring configuration file: plain text, one statement per line, {@code #} starts a comment.
 * Version 3:
 *
 * <pre>
 * ostore-ring 3
 * epoch 0
 * f 1
 * colors 1
 * param max-batch-size 256          (each of {@link #PARAMS}, exactly once)
 * replica 0 127.0.0.1:7421 &lt;64 hex digits: the replica's Ed25519 public key&gt;
 * ...                                (replicas 0..3f, each exactly once, in any order)
 * storage 0 127.0.0.1:7520 &lt;64 hex: the node's Ed25519 routing key&gt;
 * ...                                (storage nodes 0..n-1, each exactly once, in any order; none:
 *                                     the ring archives nothing)
 * </pre>
 *
 * Version 2 is version 3 without the storage nodes' routing keys ({@code storage ID HOST:PORT});
 * version 1 is version 2 without {@code storage} statements. All three are read, and a ring is
 * written in the oldest version that can say it (no storage nodes: 1; storage nodes without keys:
 * 2), so files that do not use newer statements stay readable by readers that predate them. A
 * version 3 file gives every storage node its key; a version 2 file none (those nodes serve their
 * stores but do not route). The first statement names the format and its version, so a later
 * format is refused by name rather than misread. Every parameter is required: replicas that filled in different defaults
 * would disagree silently, and a file that states everything means the same thing to every reader.
 * Every error names the file and line.
 */
public final class RingFile {
    public static final String MAGIC = "ostore-ring";
    /**
     * The newest format version; this reader also reads {@link #VERSION_WITHOUT_STORAGE_KEYS} and
     * {@link #VERSION_WITHOUT_STORAGE}.
     */
    public static final int VERSION = 3;
    /** The format before storage nodes had routing keys: still written for rings whose nodes have none. */
    public static final int VERSION_WITHOUT_STORAGE_KEYS = 2;
    /** The format before storage nodes: still written for rings that have none. */
    public static final int VERSION_WITHOUT_STORAGE = 1;
    /** The protocol parameters a ring file sets, by their file names, in the order written. */
    public static final List<String> PARAMS = List.of("max-batch-size", "batch-wait-micros", "checkpoint-interval",
            "watermark-window", "view-change-timeout-micros", "max-skew-micros");

    private RingFile() {}

    public static RingSpec load(Path file) throws IOException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Writes {@code spec} to {@code file} through a temporary file and an atomic rename. */
    public static void write(RingSpec spec, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, format(spec), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static String format(RingSpec spec) {
        StringBuilder b = new StringBuilder();
        b.append("# ostore inner-ring configuration; every replica and client of the ring reads the same file\n");
        int version = !spec.archives() ? VERSION_WITHOUT_STORAGE
                : spec.storageKeysKnown() ? VERSION : VERSION_WITHOUT_STORAGE_KEYS;
        b.append(MAGIC).append(' ').append(version).append('\n');
        b.append("epoch ").append(spec.epoch()).append('\n');
        b.append("f ").append(spec.f()).append('\n');
        b.append("colors ").append(spec.colors()).append('\n');
        for (String name : PARAMS) {
            b.append("param ").append(name).append(' ').append(spec.param(name)).append('\n');
        }
        for (RingSpec.Member m : spec.replicas()) {
            b.append("replica ").append(m.id()).append(' ').append(m.target()).append(' ').append(m.key().toHex())
                    .append('\n');
        }
        for (RingSpec.StorageAddress s : spec.storageNodes()) {
            b.append("storage ").append(s.id()).append(' ').append(s.target());
            if (version == VERSION) {
                b.append(' ').append(s.routingKey().toHex());
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * @param source names the text in error messages (the file's path)
     * @throws IllegalArgumentException {@code "source:line: what is wrong"}
     */
    public static RingSpec parse(String source, String text) {
        return new Parser(source).run(text);
    }

    private static final class Parser {
        private final String source;
        private int line;
        private boolean sawMagic;
        private long version;
        private Long epoch;
        private Integer f;
        private Integer colors;
        private final Map<String, Long> params = new LinkedHashMap<>();
        private final TreeMap<Integer, RingSpec.Member> replicas = new TreeMap<>();
        private final TreeMap<Integer, RingSpec.StorageAddress> storage = new TreeMap<>();

        Parser(String source) {
            this.source = source;
        }

        RingSpec run(String text) {
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                line = i + 1;
                String content = stripComment(lines[i]).strip();
                if (!content.isEmpty()) {
                    statement(content.split("\\s+"));
                }
            }
            line = 0;
            return finish();
        }

        private static String stripComment(String s) {
            int hash = s.indexOf('#');
            return hash < 0 ? s : s.substring(0, hash);
        }

        private void statement(String[] w) {
            if (!sawMagic) {
                if (!w[0].equals(MAGIC) || w.length != 2) {
                    throw error("the first statement must be " + magicLines() + ", not '" + String.join(" ", w) + "'");
                }
                version = number(w[1], "format version");
                if (version < VERSION_WITHOUT_STORAGE || version > VERSION) {
                    throw error("format version " + version + " is not supported; this reader knows versions "
                            + VERSION_WITHOUT_STORAGE + " to " + VERSION);
                }
                sawMagic = true;
                return;
            }
            switch (w[0]) {
                case "epoch" -> epoch = once(epoch, "epoch", number(arg(w, 2, "epoch N"), "epoch"));
                case "f" -> f = once(f, "f", Math.toIntExact(bounded(arg(w, 2, "f N"), "f", 0, 1 << 20)));
                case "colors" -> colors = once(colors, "colors", (int) bounded(arg(w, 2, "colors N"), "colors", 1, 256));
                case "param" -> param(w);
                case "replica" -> replica(w);
                case "storage" -> storage(w);
                case MAGIC -> throw error("a second '" + MAGIC + "' statement");
                default -> throw error("unknown statement '" + w[0] + "'; expected epoch, f, colors, param, replica or storage");
            }
        }

        private static String magicLines() {
            return "'" + MAGIC + " " + VERSION_WITHOUT_STORAGE + "', '" + MAGIC + " " + VERSION_WITHOUT_STORAGE_KEYS
                    + "' or '" + MAGIC + " " + VERSION + "'";
        }

        private void param(String[] w) {
            if (w.length != 3) {
                throw error("expected 'param NAME VALUE'");
            }
            if (!PARAMS.contains(w[1])) {
                throw error("unknown parameter '" + w[1] + "'; known: " + String.join(", ", PARAMS));
            }
            if (params.containsKey(w[1])) {
                throw error("parameter " + w[1] + " is set twice");
            }
            params.put(w[1], number(w[2], w[1]));
        }

        private void replica(String[] w) {
            if (w.length != 4) {
                throw error("expected 'replica ID HOST:PORT PUBLIC-KEY-HEX'");
            }
            int id = (int) bounded(w[1], "replica id", 0, Integer.MAX_VALUE);
            if (replicas.containsKey(id)) {
                throw error("replica " + id + " is listed twice");
            }
            String host = host(w[2], "replica " + id);
            int port = port(w[2], "replica " + id);
            try {
                replicas.put(id, new RingSpec.Member(id, host, port, PublicKey.fromHex(w[3])));
            } catch (IllegalArgumentException e) {
                throw error("replica " + id + ": " + e.getMessage());
            }
        }

        private void storage(String[] w) {
            if (version < VERSION_WITHOUT_STORAGE_KEYS) {
                throw error("'storage' statements need format version " + VERSION_WITHOUT_STORAGE_KEYS + " or later ('"
                        + MAGIC + " " + VERSION + "'), and this file is version " + version);
            }
            if (version == VERSION_WITHOUT_STORAGE_KEYS && w.length != 3) {
                // Format 2 has no routing keys; a key there is a word too many, like any other.
                throw error("expected 'storage ID HOST:PORT'");
            }
            if (version == VERSION && w.length != 4) {
                throw error("expected 'storage ID HOST:PORT ROUTING-KEY-HEX'");
            }
            int id = (int) bounded(w[1], "storage node id", 0, Integer.MAX_VALUE);
            if (storage.containsKey(id)) {
                throw error("storage node " + id + " is listed twice");
            }
            String who = "storage node " + id;
            String host = host(w[2], who);
            int port = port(w[2], who);
            try {
                PublicKey key = w.length == 4 ? PublicKey.fromHex(w[3]) : null;
                storage.put(id, new RingSpec.StorageAddress(id, host, port, key));
            } catch (IllegalArgumentException e) {
                throw error(who + ": " + e.getMessage());
            }
        }

        /** The host of {@code HOST:PORT}, an IPv6 literal without its brackets. */
        private String host(String address, String who) {
            int colon = address.lastIndexOf(':');
            if (colon <= 0) {
                throw error(who + " address '" + address + "' must be HOST:PORT");
            }
            String host = address.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return host;
        }

        private int port(String address, String who) {
            return (int) bounded(address.substring(address.lastIndexOf(':') + 1), who + " port", 1, 65_535);
        }

        private RingSpec finish() {
            if (!sawMagic) {
                throw error("empty: no " + magicLines() + " statement");
            }
            required(epoch, "epoch");
            required(f, "f");
            required(colors, "colors");
            List<String> missing = PARAMS.stream().filter(p -> !params.containsKey(p)).toList();
            if (!missing.isEmpty()) {
                throw error("missing parameters: " + String.join(", ", missing));
            }
            List<RingSpec.Member> members = new ArrayList<>(replicas.values());
            for (int i = 0; i < members.size(); i++) {
                if (members.get(i).id() != i) {
                    throw error("replica " + i + " is missing (ids must be 0.." + (3 * f) + ")");
                }
            }
            List<RingSpec.StorageAddress> nodes = new ArrayList<>(storage.values());
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i).id() != i) {
                    throw error("storage node " + i + " is missing (ids must be 0.." + (nodes.size() - 1) + ")");
                }
            }
            try {
                return new RingSpec(epoch, f, colors, params, members, nodes);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        private void required(Object value, String statement) {
            if (value == null) {
                throw error("no '" + statement + "' statement");
            }
        }

        private String arg(String[] w, int count, String usage) {
            if (w.length != count) {
                throw error("expected '" + usage + "'");
            }
            return w[1];
        }

        private <T> T once(T previous, String what, T value) {
            if (previous != null) {
                throw error("'" + what + "' is set twice");
            }
            return value;
        }

        private long number(String text, String what) {
            try {
                long v = Long.parseLong(text);
                if (v < 0) {
                    throw error(what + " (" + text + ") must be >= 0");
                }
                return v;
            } catch (NumberFormatException e) {
                throw error(what + " (" + text + ") is not a whole number");
            }
        }

        private long bounded(String text, String what, long min, long max) {
            long v = number(text, what);
            if (v < min || v > max) {
                throw error(what + " (" + v + ") must be in " + min + ".." + max);
            }
            return v;
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException(line > 0 ? source + ":" + line + ": " + message : source + ": " + message);
        }
    }
}
