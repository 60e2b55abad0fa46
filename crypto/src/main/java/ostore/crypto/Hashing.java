package ostore.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Domain-separated SHA-256: {@code SHA-256(tag || 0x00 || message)}. */
public final class Hashing {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    });

    private Hashing() {}

    public static Hash32 hash(Domain domain, byte[] message) {
        return hash(domain, message, 0, message.length);
    }

    public static Hash32 hash(Domain domain, byte[] message, int offset, int length) {
        MessageDigest d = SHA256.get();
        d.reset();
        d.update(domain.prefixUnsafe());
        d.update(message, offset, length);
        return Hash32.wrap(d.digest());
    }

    /** {@code SHA-256(tag || 0x00 || first || second)}, without concatenating the two. */
    public static Hash32 hash(Domain domain, byte[] first, byte[] second) {
        MessageDigest d = SHA256.get();
        d.reset();
        d.update(domain.prefixUnsafe());
        d.update(first);
        d.update(second);
        return Hash32.wrap(d.digest());
    }

    /** Hashes two digests under a domain, as a Merkle interior node does. */
    public static Hash32 hashPair(Domain domain, Hash32 left, Hash32 right) {
        MessageDigest d = SHA256.get();
        d.reset();
        d.update(domain.prefixUnsafe());
        left.writeTo(d);
        right.writeTo(d);
        return Hash32.wrap(d.digest());
    }
}
