package ostore.node.wire;

import com.google.protobuf.ByteString;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;

/**
 * Fixed-length byte fields read from a request, refused with the field's path and the length
 * found. {@code ostore.api.Protos} converts trusted values; these checks word the error for a
 * client that sent the wrong thing.
 */
public final class WireFields {
    private WireFields() {}

    /** @throws BadRequestException unless {@code bytes} is exactly 32 long */
    public static Hash32 hash32(ByteString bytes, String path) {
        requireLength(bytes, Hash32.LENGTH, path);
        return Hash32.of(bytes.toByteArray());
    }

    /** @throws BadRequestException unless {@code bytes} is a 32-byte encoded Ed25519 point */
    public static PublicKey publicKey(ByteString bytes, String path) {
        requireLength(bytes, PublicKey.LENGTH, path);
        try {
            return PublicKey.of(bytes.toByteArray());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(path, "is not a valid Ed25519 public key");
        }
    }

    /**
     * A {@code uint64} with its top bit set arrives as a negative {@code long}; the domain has no
     * use for values that large, so it is refused rather than read as negative.
     */
    public static long nonNegative(long value, String path) {
        if (value < 0) {
            throw new BadRequestException(path, "must be < 2^63 (got " + Long.toUnsignedString(value) + ")");
        }
        return value;
    }

    private static void requireLength(ByteString bytes, int expected, String path) {
        if (bytes.size() != expected) {
            throw new BadRequestException(path, "must be " + expected + " bytes (got " + bytes.size() + ")");
        }
    }
}
