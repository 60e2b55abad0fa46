package ostore.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds the canonical byte encodings that ostore hashes and signs: big-endian fixed-width
 * integers, length-prefixed (u32) byte strings and UTF-8 text, raw 32-byte digests. Two equal
 * values always encode to the same bytes; there are no optional fields or maps.
 */
public final class CanonicalEncoder {
    private final ByteArrayOutputStream out;

    public CanonicalEncoder() {
        this(128);
    }

    public CanonicalEncoder(int initialCapacity) {
        this.out = new ByteArrayOutputStream(initialCapacity);
    }

    public CanonicalEncoder u8(int v) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException("u8 value (" + v + ") out of range");
        }
        out.write(v);
        return this;
    }

    public CanonicalEncoder u32(long v) {
        if (v < 0 || v > 0xffff_ffffL) {
            throw new IllegalArgumentException("u32 value (" + v + ") out of range");
        }
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write((int) (v >>> shift) & 0xff);
        }
        return this;
    }

    public CanonicalEncoder i64(long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (v >>> shift) & 0xff);
        }
        return this;
    }

    public CanonicalEncoder bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    /** A raw 32-byte digest, no length prefix. */
    public CanonicalEncoder hash(Hash32 h) {
        out.writeBytes(h.toBytes());
        return this;
    }

    /** A u32 length followed by the bytes. */
    public CanonicalEncoder bytes(byte[] b) {
        u32(b.length);
        out.writeBytes(b);
        return this;
    }

    /** A u32 byte length followed by the UTF-8 bytes. */
    public CanonicalEncoder string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
