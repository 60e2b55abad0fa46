package ostore.node.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import ostore.api.v1.Action;
import ostore.api.v1.Comparison;
import ostore.api.v1.Predicate;
import ostore.client.Actions;
import ostore.client.Predicates;
import ostore.crypto.Bguid;
import ostore.crypto.PublicKey;

/**
 * Parses the values of {@code ostore update}'s predicate and action flags. Each parser throws
 * {@link IllegalArgumentException} naming the flag and the accepted form; the command turns that
 * into a usage error.
 */
final class UpdateFlags {
    private UpdateFlags() {}

    /** {@code eq ne lt le gt ge}, any case, or {@code = != < <= > >=}. */
    static Comparison comparison(String flag, String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "eq", "=", "==" -> Comparison.EQ;
            case "ne", "!=" -> Comparison.NE;
            case "lt", "<" -> Comparison.LT;
            case "le", "<=" -> Comparison.LE;
            case "gt", ">" -> Comparison.GT;
            case "ge", ">=" -> Comparison.GE;
            default -> throw new IllegalArgumentException(
                    flag + ": comparison '" + text + "' must be one of eq ne lt le gt ge (or = != < <= > >=)");
        };
    }

    /** {@code OP:N}, e.g. {@code ge:100}. */
    static Predicate size(String text) {
        String[] parts = split("--if-size", text, "OP:N");
        return Predicates.size(comparison("--if-size", parts[0]), number("--if-size", parts[1]));
    }

    /** {@code I:BGUID}: block I is named BGUID (64 hex digits). */
    static Predicate block(String text) {
        String[] parts = split("--if-block", text, "I:BGUID");
        return Predicates.block(number("--if-block", parts[0]), Bguid.fromHex(parts[1]));
    }

    /** {@code I:FILE} for {@code --replace-block} and {@code --insert-block}. */
    static Action indexedBlock(String flag, String text) throws IOException {
        String[] parts = split(flag, text, "I:FILE");
        long index = number(flag, parts[0]);
        byte[] data = Files.readAllBytes(Path.of(parts[1]));
        return flag.equals("--replace-block") ? Actions.replaceBlock(index, data) : Actions.insertBlock(index, data);
    }

    /** A comma-separated list of 64-hex public keys; empty leaves only the owner. */
    static List<PublicKey> writers(String text) {
        List<PublicKey> writers = new ArrayList<>();
        for (String hex : text.split(",")) {
            if (!hex.isBlank()) {
                writers.add(PublicKey.fromHex(hex.strip()));
            }
        }
        return writers;
    }

    static long number(String flag, String text) {
        try {
            long n = Long.parseLong(text.strip());
            if (n < 0) {
                throw new IllegalArgumentException(flag + ": " + text + " must be >= 0");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": '" + text + "' is not a whole number", e);
        }
    }

    private static String[] split(String flag, String text, String form) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(flag + ": '" + text + "' must have the form " + form);
        }
        return new String[] {text.substring(0, colon), text.substring(colon + 1)};
    }
}
