package ostore.archive;

import java.util.Objects;
import ostore.crypto.Hash32;

/** An object a storage node handed out (or reported) that did not verify, and why. */
public record CorruptFragment(int node, Hash32 name, String reason) {
    public CorruptFragment {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(reason, "reason");
    }
}
