package ostore.client;

import java.util.Objects;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/** A version root and the VGUID the client computed from it. */
public record VerifiedRoot(VersionRoot root, Vguid vguid) {
    public VerifiedRoot {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(vguid, "vguid");
        assert root.vguid().equals(vguid) : "vguid must be the root's";
    }
}
