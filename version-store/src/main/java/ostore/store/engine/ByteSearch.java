package ostore.store.engine;

/**
 * Finds a needle in bytes fed a chunk at a time (Knuth-Morris-Pratt), so a search over a large
 * object crosses block boundaries without ever holding more than one block.
 */
final class ByteSearch {
    private final byte[] needle;
    private final int[] fallback;
    private int matched;

    ByteSearch(byte[] needle) {
        this.needle = needle;
        this.fallback = failureTable(needle);
    }

    /** True once the needle has been seen; the empty needle is found before any input. */
    boolean found() {
        return matched == needle.length;
    }

    /** Feeds the next chunk; returns {@link #found()}. */
    boolean feed(byte[] chunk) {
        for (int i = 0; i < chunk.length && !found(); i++) {
            while (matched > 0 && chunk[i] != needle[matched]) {
                matched = fallback[matched - 1];
            }
            if (chunk[i] == needle[matched]) {
                matched++;
            }
        }
        return found();
    }

    /** fallback[i] is the length of the longest proper border of needle[0..i]. */
    private static int[] failureTable(byte[] needle) {
        int[] table = new int[needle.length];
        int k = 0;
        for (int i = 1; i < needle.length; i++) {
            while (k > 0 && needle[i] != needle[k]) {
                k = table[k - 1];
            }
            if (needle[i] == needle[k]) {
                k++;
            }
            table[i] = k;
        }
        return table;
    }
}
