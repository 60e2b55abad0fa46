package ostore.crypto;

import java.util.List;
import java.util.Objects;

/**
 * Who may change an object and how the servers may treat its bytes. The owner is fixed by the
 * AGUID; {@code writers} may be changed by the owner alone. {@code encrypted} tells the servers the
 * blocks are ciphertext, so predicates that read content (search) are refused.
 *
 * <p>Writers are kept sorted and distinct so that the canonical encoding is unique.
 */
public record Acl(PublicKey owner, List<PublicKey> writers, boolean encrypted) {
    public Acl {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(writers, "writers");
        writers = writers.stream().distinct().sorted().toList();
    }

    public static Acl ownerOnly(PublicKey owner) {
        return new Acl(owner, List.of(), false);
    }

    /** True if {@code key} is the owner or on the writer list. */
    public boolean mayWrite(PublicKey key) {
        return owner.equals(key) || writers.contains(key);
    }

    void encodeTo(CanonicalEncoder e) {
        e.bytes(owner.toBytes());
        e.u32(writers.size());
        for (PublicKey w : writers) {
            e.bytes(w.toBytes());
        }
        e.bool(encrypted);
    }
}
