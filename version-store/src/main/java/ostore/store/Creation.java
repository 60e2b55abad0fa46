package ostore.store;

import java.util.Objects;
import ostore.crypto.PublicKey;

/** The owner key and name an update may create its object under; the AGUID must match them. */
public record Creation(PublicKey owner, String name) {
    public Creation {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(name, "name");
    }
}
