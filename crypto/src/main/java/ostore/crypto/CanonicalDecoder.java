package ostore.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link CanonicalEncoder} writes, refusing anything malformed with a message that
 * names the field, what was expected and what was found. Counts read from the input are checked
 * against the bytes left before anything is allocated, so a hostile length cannot exhaust memory.
 */
public final class CanonicalDecoder {
    private final byte[] in;
    private final int end;
    private int pos;

    /** Reads {@code in[offset, offset + length)}; the array is not copied. */
    public CanonicalDecoder(byte[] in, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > in.length) {
            throw new IllegalArgumentException("range [" + offset + ", " + (offset + length)
                    + ") is outside an array of " + in.length + " bytes");
        }
        this.in = in;
        this.pos = offset;
        this.end = offset + length;
    }

    public CanonicalDecoder(byte[] in) {
        this(in, 0, in.length);
    }

    public int remaining() {
        return end - pos;
    }

    public int u8(String field) {
        need(field, 1);
        return Byte.toUnsignedInt(in[pos++]);
    }

    public long u32(String field) {
        need(field, 4);
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v = v << 8 | Byte.toUnsignedInt(in[pos++]);
        }
        return v;
    }

    public long i64(String field) {
        need(field, 8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | Byte.toUnsignedInt(in[pos++]);
        }
        return v;
    }

    /** A byte that must be 0 (false) or 1 (true), as {@link CanonicalEncoder#bool} writes it. */
    public boolean bool(String field) {
        int b = u8(field);
        if (b > 1) {
            throw new IllegalArgumentException(field + " (" + b + ") must be 0 or 1");
        }
        return b == 1;
    }

    /** An i64 that must not be negative (sequence numbers, views, epochs). */
    public long u63(String field) {
        long v = i64(field);
        if (v < 0) {
            throw new IllegalArgumentException(field + " (" + v + ") must be >= 0");
        }
        return v;
    }

    /** A u32 that fits an int and is at most {@code max}. */
    public int u32AtMost(String field, int max) {
        long v = u32(field);
        if (v > max) {
            throw new IllegalArgumentException(field + " (" + v + ") exceeds " + max);
        }
        return (int) v;
    }

    /**
     * A count of items that each take at least {@code minItemBytes}: refused when the input left
     * could not hold that many, before the caller allocates for them.
     */
    public int count(String field, int minItemBytes) {
        long v = u32(field);
        if (v * Math.max(1, minItemBytes) > remaining()) {
            throw new IllegalArgumentException(field + " (" + v + ") items of at least " + minItemBytes
                    + " bytes do not fit in the " + remaining() + " bytes left");
        }
        return (int) v;
    }

    public Hash32 hash(String field) {
        need(field, Hash32.LENGTH);
        Hash32 h = Hash32.of(Arrays.copyOfRange(in, pos, pos + Hash32.LENGTH));
        pos += Hash32.LENGTH;
        return h;
    }

    /** A u32 length and that many bytes. */
    public byte[] bytes(String field) {
        int length = count(field + " length", 1);
        return raw(field, length);
    }

    /**
     * A u32 length and that many bytes of UTF-8, as {@link CanonicalEncoder#string} writes it;
     * malformed UTF-8 is refused, since no encoder of ours writes it.
     */
    public String string(String field) {
        byte[] utf8 = bytes(field);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(field + " (" + utf8.length + " bytes) is not well-formed UTF-8", e);
        }
    }

    /** Exactly {@code length} bytes, no prefix. */
    public byte[] raw(String field, int length) {
        need(field, length);
        byte[] b = Arrays.copyOfRange(in, pos, pos + length);
        pos += length;
        return b;
    }

    /** Refuses trailing bytes: a canonical encoding has exactly one form. */
    public void end(String what) {
        if (pos != end) {
            throw new IllegalArgumentException(what + " has " + (end - pos) + " trailing bytes");
        }
    }

    private void need(String field, int bytes) {
        if (end - pos < bytes) {
            throw new IllegalArgumentException(field + " needs " + bytes + " bytes but " + (end - pos) + " are left");
        }
    }
}
