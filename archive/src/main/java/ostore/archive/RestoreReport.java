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
 * @param rejected candidate manifests with valid certificates that were tried first and did not
 *     verify (forged or damaged); empty normally
 */
public record RestoreReport(Vguid vguid, Hash32 manifestName, long bytes, long blocks, int fragmentsFetched,
        List<CorruptFragment> corrupt, List<Integer> nodesDown, List<RejectedManifest> rejected) {
    public RestoreReport {
        Objects.requireNonNull(vguid, "vguid");
        Objects.requireNonNull(manifestName, "manifestName");
        corrupt = List.copyOf(corrupt);
        nodesDown = List.copyOf(nodesDown);
        rejected = List.copyOf(rejected);
    }

    /** A report with no rejected manifests (the form before manifests were ranked). */
    public RestoreReport(Vguid vguid, Hash32 manifestName, long bytes, long blocks, int fragmentsFetched,
            List<CorruptFragment> corrupt, List<Integer> nodesDown) {
        this(vguid, manifestName, bytes, blocks, fragmentsFetched, corrupt, nodesDown, List.of());
    }
}
