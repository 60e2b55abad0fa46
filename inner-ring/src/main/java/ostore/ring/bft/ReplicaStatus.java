package ostore.ring.bft;

import java.util.List;

/**
 * What {@code ostore ring status} shows for one replica.
 *
 * @param colors per color: last executed and last stable seqno, and whether it is stranded: behind
 *     by more than its peers' logs hold, so it is installing a peer's version store snapshot
 * @param uncertifiedVersions versions the store holds without a certificate, still being gathered
 */
public record ReplicaStatus(int id, long view, int primary, boolean viewChanging, List<ColorStatus> colors,
        int pendingUpdates, long certificatesAttached, long uncertifiedVersions) {
    public record ColorStatus(int color, long executed, long stable, boolean stranded) {}

    public ReplicaStatus {
        colors = List.copyOf(colors);
    }
}
