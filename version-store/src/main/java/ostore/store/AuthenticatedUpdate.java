package ostore.store;

import java.util.Objects;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;

/**
 * An update whose signature has been checked by the edge that decoded it: {@code writer} signed
 * the body whose digest is {@code digest}. The version store trusts this and checks only the ACL.
 */
public record AuthenticatedUpdate(Update update, PublicKey writer, Hash32 digest) {
    public AuthenticatedUpdate {
        Objects.requireNonNull(update, "update");
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(digest, "digest");
    }
}
