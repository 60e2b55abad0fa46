package ostore.ring.bft;

import java.util.List;

/**
 * What {@code ostore ring status} shows for one replica.
 *
 * @param colors per color: last executed and last stable seqno, and whether it is stranded: behind
 *     by more than its peers' logs hold, so it is installing a peer's version store snapshot
 * @param uncertifiedVersions versions the store holds without a certificate, still being gathered
 * @param log how full the replica's shared log is
 */
public record ReplicaStatus(int id, long view, int primary, boolean viewChanging, List<ColorStatus> colors,
        int pendingUpdates, long certificatesAttached, long uncertifiedVersions, Log log) {
    public record ColorStatus(int color, long executed, long stable, boolean stranded) {}

    /**
     * @param bytesUsed what the log's store takes now and what is queued for it
     * @param capacityBytes what it may take ({@link Long#MAX_VALUE}: only the disk bounds it)
     * @param refusal why the replica takes no new client updates for want of log space, or empty
     */
    public record Log(long bytesUsed, long capacityBytes, String refusal) {}

    public ReplicaStatus {
        colors = List.copyOf(colors);
    }
}
