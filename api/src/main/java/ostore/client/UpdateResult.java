package ostore.client;

import java.util.Objects;
import ostore.api.v1.HistoryEntry;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/**
 * A verified update outcome.
 *
 * @param committed whether a clause held and a version was created
 * @param root the created version (committed), or the latest version when aborted; null only when
 *     an update of a missing object aborted
 * @param vguid {@code root}'s VGUID as computed by the client; null exactly when {@code root} is
 * @param entry the object's history record for the update
 */
public record UpdateResult(boolean committed, VersionRoot root, Vguid vguid, HistoryEntry entry) {
    public UpdateResult {
        Objects.requireNonNull(entry, "entry");
        if ((root == null) != (vguid == null)) {
            throw new IllegalArgumentException("root and vguid must both be present or both absent");
        }
        if (committed && root == null) {
            throw new IllegalArgumentException("a committed update must have a root");
        }
        assert root == null || root.vguid().equals(vguid) : "vguid must be the root's";
    }
}
