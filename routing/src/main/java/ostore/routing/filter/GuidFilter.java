package ostore.routing.filter;

import com.google.common.hash.BloomFilter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import ostore.crypto.Hash32;

/**
 * A Guava {@link BloomFilter} of GUIDs with a fixed {@link FilterParams} shape. Mutable only while
 * its owner builds it (a node's own filter, or a level being unioned); once handed to an
 * {@link AttenuatedFilter} or the wire it is not changed again.
 *
 * <p>Guava's serialized form starts with an enum ordinal; we never send that form. The bit array
 * travels as {@link FilterParams#wordCount()} big-endian 64-bit words behind our own header
 * ({@link FilterCodec}), and the conversion to and from Guava's form lives only in this class,
 * where a golden test catches a Guava release that changes it.
 */
public final class GuidFilter {
    /** Guava's ordinal for MURMUR128_MITZ_64, the strategy {@code BloomFilter.create} uses. */
    private static final int GUAVA_STRATEGY = 1;
    private static final int GUAVA_HEADER_BYTES = 6;

    private final FilterParams params;
    private final BloomFilter<Hash32> bloom;

    private GuidFilter(FilterParams params, BloomFilter<Hash32> bloom) {
        this.params = params;
        this.bloom = bloom;
    }

    /** An empty filter of this shape. */
    public static GuidFilter empty(FilterParams params) {
        Objects.requireNonNull(params, "params");
        return fromWords(params, ByteBuffer.allocate(params.byteCount()));
    }

    /** A filter holding every GUID of {@code guids}. */
    public static GuidFilter of(FilterParams params, Iterable<Hash32> guids) {
        GuidFilter f = empty(params);
        for (Hash32 g : guids) {
            f.put(g);
        }
        return f;
    }

    public FilterParams params() {
        return params;
    }

    public void put(Hash32 guid) {
        bloom.put(Objects.requireNonNull(guid, "guid"));
    }

    /** False means certainly absent; true means present or a false positive, so always probe. */
    public boolean mightContain(Hash32 guid) {
        return bloom.mightContain(guid);
    }

    /** Adds every GUID of {@code other} (a bitwise or). */
    public void putAll(GuidFilter other) {
        if (!other.params.equals(params)) {
            throw new IllegalArgumentException("cannot union a filter of " + other.params + " into one of " + params);
        }
        bloom.putAll(other.bloom);
    }

    public GuidFilter copy() {
        return new GuidFilter(params, bloom.copy());
    }

    /** Guava's estimate of the false-positive rate at the current fill, for saturation checks. */
    public double expectedFpp() {
        return bloom.expectedFpp();
    }

    /** Guava's estimate of how many distinct GUIDs were put. */
    public long approximateElementCount() {
        return bloom.approximateElementCount();
    }

    /** Writes the bit array: {@link FilterParams#byteCount()} bytes, words big-endian. */
    public void writeWords(ByteBuffer out) {
        byte[] guava = guavaForm();
        assert guava[0] == GUAVA_STRATEGY && (guava[1] & 0xff) == params.numHashFunctions()
                && guava.length == GUAVA_HEADER_BYTES + params.byteCount() : "Guava's serialized form changed";
        out.put(guava, GUAVA_HEADER_BYTES, params.byteCount());
    }

    /**
     * Reads {@link FilterParams#byteCount()} bytes of bit array from {@code in}; the caller has
     * already checked that many remain.
     */
    public static GuidFilter fromWords(FilterParams params, ByteBuffer in) {
        if (in.remaining() < params.byteCount()) {
            throw new IllegalArgumentException("a filter of " + params + " needs " + params.byteCount()
                    + " bytes, " + in.remaining() + " remain");
        }
        byte[] guava = new byte[GUAVA_HEADER_BYTES + params.byteCount()];
        ByteBuffer.wrap(guava).put((byte) GUAVA_STRATEGY).put((byte) params.numHashFunctions())
                .putInt(params.wordCount());
        in.get(guava, GUAVA_HEADER_BYTES, params.byteCount());
        try {
            return new GuidFilter(params, BloomFilter.readFrom(new ByteArrayInputStream(guava), GuidFunnel.INSTANCE));
        } catch (IOException e) {
            throw new IllegalStateException("Guava refused a filter of " + params
                    + " in its own serialized form; its format changed", e);
        }
    }

    private byte[] guavaForm() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(GUAVA_HEADER_BYTES + params.byteCount());
        try {
            bloom.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Same shape and same bits. */
    @Override
    public boolean equals(Object o) {
        return o instanceof GuidFilter f && f.params.equals(params) && f.bloom.equals(bloom);
    }

    @Override
    public int hashCode() {
        return bloom.hashCode();
    }

    @Override
    public String toString() {
        return "GuidFilter" + params + "~" + approximateElementCount();
    }
}
