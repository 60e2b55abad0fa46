package ostore.ring.bft;

import java.util.List;

/**
 * What {@code ostore ring status} shows for one replica.
 *
 * @param colors per color: last executed and last stable seqno
 */
public record ReplicaStatus(int id, long view, int primary, boolean viewChanging, List<ColorStatus> colors,
        int pendingUpdates, long certificatesAttached) {
    public record ColorStatus(int color, long executed, long stable) {}

    public ReplicaStatus {
        colors = List.copyOf(colors);
    }
}
