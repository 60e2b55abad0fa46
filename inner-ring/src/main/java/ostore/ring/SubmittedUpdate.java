package ostore.ring;

import java.util.Objects;
import ostore.store.AuthenticatedUpdate;

/**
 * An update accepted by the edge: {@code signedUpdate} is the serialized {@code ostore.v1.SignedUpdate}
 * exactly as received (it is what the log stores), {@code decoded} its checked domain form.
 */
public record SubmittedUpdate(byte[] signedUpdate, AuthenticatedUpdate decoded) {
    public SubmittedUpdate {
        Objects.requireNonNull(signedUpdate, "signedUpdate");
        Objects.requireNonNull(decoded, "decoded");
    }
}
