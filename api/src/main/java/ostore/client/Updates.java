package ostore.client;

import java.security.SecureRandom;
import java.util.Objects;
import ostore.crypto.Aguid;

/** Entry point for building an {@link ostore.api.v1.Update}: {@code Updates.forObject(aguid)...build()}. */
public final class Updates {
    /** The {@code Update.format_version} this SDK writes. */
    public static final int FORMAT_VERSION = 1;

    // Nonces only need to be unique per (object, writer); 64 random bits make a repeat negligible
    // without the client keeping state across restarts.
    private static final SecureRandom NONCES = new SecureRandom();

    private Updates() {}

    /** Starts an update of {@code aguid} with a fresh random nonce. */
    public static UpdateBuilder forObject(Aguid aguid) {
        Objects.requireNonNull(aguid, "aguid");
        return new UpdateBuilder(aguid, NONCES.nextLong());
    }
}
