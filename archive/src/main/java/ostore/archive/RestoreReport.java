package ostore.archive;

import java.util.List;
import java.util.Objects;
import ostore.crypto.Hash32;
import ostore.crypto.Vguid;

/**
 * What a successful restore did and met on the way.
 *
 * @param bytes the version's size, all delivered to the sink
 * @param fragmentsFetched verified fragments fetched (including those of earlier versions' stripes)
 * @param corrupt objects that did not verify (skipped)
 * @param nodesDown nodes that failed and were skipped
 */
public record RestoreReport(Vguid vguid, Hash32 manifestName, long bytes, long blocks, int fragmentsFetched,
        List<CorruptFragment> corrupt, List<Integer> nodesDown) {
    public RestoreReport {
        Objects.requireNonNull(vguid, "vguid");
        Objects.requireNonNull(manifestName, "manifestName");
        corrupt = List.copyOf(corrupt);
        nodesDown = List.copyOf(nodesDown);
    }
}
