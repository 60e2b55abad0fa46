package ostore.crypto;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable 32-byte digest with value semantics: equality, ordering (unsigned lexicographic)
 * and a lowercase-hex text form. Every GUID in ostore is one of these under a typed wrapper.
 */
public final class Hash32 implements Comparable<Hash32> {
    public static final int LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private Hash32(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Copies {@code bytes}, which must be exactly 32 long. */
    public static Hash32 of(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException(
                    "hash length (" + (bytes == null ? "null" : bytes.length) + ") must be " + LENGTH);
        }
        return new Hash32(bytes.clone());
    }

    /** Parses 64 hex digits (either case). */
    public static Hash32 fromHex(String hex) {
        if (hex == null || hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException(
                    "hash hex (" + hex + ") must be " + 2 * LENGTH + " hex digits");
        }
        try {
            return new Hash32(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hash hex (" + hex + ") is not hexadecimal", e);
        }
    }

    /** Wraps a freshly computed digest without copying; callers must not keep {@code owned}. */
    static Hash32 wrap(byte[] owned) {
        assert owned.length == LENGTH : owned.length;
        return new Hash32(owned);
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Byte {@code i} of the digest, without copying. */
    public byte byteAt(int i) {
        return bytes[i];
    }

    public String toHex() {
        return HEX.formatHex(bytes);
    }

    /** The first 12 hex digits, for logs and CLI output. */
    public String shortHex() {
        return toHex().substring(0, 12);
    }

    void writeTo(java.security.MessageDigest digest) {
        digest.update(bytes);
    }

    void copyTo(byte[] dst, int offset) {
        System.arraycopy(bytes, 0, dst, offset, LENGTH);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash32 h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    @Override
    public int compareTo(Hash32 o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
