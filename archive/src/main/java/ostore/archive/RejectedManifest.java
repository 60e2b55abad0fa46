package ostore.archive;

import java.util.Objects;
import ostore.crypto.Hash32;

/**
 * A manifest a restore or scrub met and did not use: it had a valid certificate (anyone can copy
 * one into an index entry) but did not check out — not found intact, an impossible block location,
 * fragments that are missing or decode to bytes that do not match their BGUIDs. Reported so an
 * operator sees forgeries and damage instead of having them silently skipped.
 */
public record RejectedManifest(Hash32 name, String reason) {
    public RejectedManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(reason, "reason");
    }
}
