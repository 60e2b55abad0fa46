package ostore.bench;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one line format the drivers speak to the suite: a prefix naming the kind of line, then
 * {@code key=value} fields separated by spaces, values URL-encoded. {@link Result} lines and the
 * ring's {@code phases} lines are both read here, so a malformed line is refused the same way.
 */
public final class Fields {
    private Fields() {}

    /**
     * The fields of {@code line} after {@code prefix}, in order, values decoded; throws
     * {@link IllegalArgumentException} naming the line if it lacks the prefix or a field is not
     * {@code key=value}.
     *
     * @param kind what the line is, for messages ({@code result}, {@code phases})
     */
    public static Map<String, String> parse(String line, String prefix, String kind) {
        if (!line.startsWith(prefix)) {
            throw new IllegalArgumentException("not a " + kind + " line (no '" + prefix.strip() + "' prefix): " + line);
        }
        Map<String, String> f = new LinkedHashMap<>();
        for (String field : line.substring(prefix.length()).trim().split(" +")) {
            int eq = field.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("field '" + field + "' is not key=value in: " + line);
            }
            f.put(field.substring(0, eq), URLDecoder.decode(field.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return f;
    }

    /** Field {@code key} of a parsed line; throws naming the line if it has none. */
    public static String need(Map<String, String> fields, String key, String kind, String line) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException(kind + " line has no '" + key + "' field: " + line);
        }
        return v;
    }
}
