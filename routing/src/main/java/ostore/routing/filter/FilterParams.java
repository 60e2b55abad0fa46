package ostore.routing.filter;

import com.google.common.hash.BloomFilter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The shape every filter of one overlay shares: hash-function count and bit count. Attenuated
 * levels are unions of neighbours' filters, and Guava can only union filters of the same shape, so
 * the shape is fixed per overlay and gossip of any other shape is refused. Both numbers travel on
 * the wire; the expected insertions and false-positive rate they were derived from do not.
 *
 * @param numHashFunctions bits set per GUID, in [1, {@value #MAX_HASH_FUNCTIONS}]
 * @param bitCount filter size in bits, a multiple of 64 in [64, {@value #MAX_BIT_COUNT}]
 */
public record FilterParams(int numHashFunctions, int bitCount) {
    /** Guava picks about 30 hash functions for a 1e-9 false-positive rate; more is never useful. */
    public static final int MAX_HASH_FUNCTIONS = 32;
    /** 16 MiB per filter: a node holding about 14 million GUIDs at 1% false positives. */
    public static final int MAX_BIT_COUNT = 1 << 27;
    /** Guava's own cap on expected insertions we accept; far past any per-node inventory. */
    public static final int MAX_EXPECTED_INSERTIONS = 1 << 24;

    public FilterParams {
        if (numHashFunctions < 1 || numHashFunctions > MAX_HASH_FUNCTIONS) {
            throw new IllegalArgumentException("numHashFunctions (" + numHashFunctions + ") must be in [1, "
                    + MAX_HASH_FUNCTIONS + "]");
        }
        if (bitCount < 64 || bitCount > MAX_BIT_COUNT || bitCount % 64 != 0) {
            throw new IllegalArgumentException("bitCount (" + bitCount + ") must be a multiple of 64 in [64, "
                    + MAX_BIT_COUNT + "]");
        }
    }

    /**
     * The shape Guava chooses for {@code expectedInsertions} GUIDs at false-positive rate {@code fpp}.
     * Read back from an empty Guava filter rather than recomputed, so it is exactly Guava's choice.
     */
    public static FilterParams forCapacity(int expectedInsertions, double fpp) {
        if (expectedInsertions < 1 || expectedInsertions > MAX_EXPECTED_INSERTIONS) {
            throw new IllegalArgumentException("expectedInsertions (" + expectedInsertions + ") must be in [1, "
                    + MAX_EXPECTED_INSERTIONS + "]");
        }
        if (!(fpp > 0 && fpp < 1)) {
            throw new IllegalArgumentException("fpp (" + fpp + ") must be in (0, 1)");
        }
        BloomFilter<?> empty = BloomFilter.create(GuidFunnel.INSTANCE, expectedInsertions, fpp);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            empty.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] header = out.toByteArray();
        int longs = (header[2] & 0xff) << 24 | (header[3] & 0xff) << 16 | (header[4] & 0xff) << 8 | header[5] & 0xff;
        return new FilterParams(header[1] & 0xff, longs * 64);
    }

    /** Bytes of the bit array alone, as it travels. */
    public int byteCount() {
        return bitCount / 8;
    }

    /** Number of 64-bit words of the bit array. */
    public int wordCount() {
        return bitCount / 64;
    }
}
