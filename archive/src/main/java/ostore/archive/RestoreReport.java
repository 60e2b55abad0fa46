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
 * @param located how fragments their placed nodes did not give were found: through the routing
 *     layer's lookups, with or without its fallback, or by asking every node
 */
public record RestoreReport(Vguid vguid, Hash32 manifestName, long bytes, long blocks, int fragmentsFetched,
        List<CorruptFragment> corrupt, List<Integer> nodesDown, List<RejectedManifest> rejected,
        LocateStats located) {
    public RestoreReport {
        Objects.requireNonNull(vguid, "vguid");
        Objects.requireNonNull(manifestName, "manifestName");
        Objects.requireNonNull(located, "located");
        corrupt = List.copyOf(corrupt);
        nodesDown = List.copyOf(nodesDown);
        rejected = List.copyOf(rejected);
    }

    /** A report of a restore that looked for no fragment away from its placed node (the form before routing). */
    public RestoreReport(Vguid vguid, Hash32 manifestName, long bytes, long blocks, int fragmentsFetched,
            List<CorruptFragment> corrupt, List<Integer> nodesDown, List<RejectedManifest> rejected) {
        this(vguid, manifestName, bytes, blocks, fragmentsFetched, corrupt, nodesDown, rejected, LocateStats.NONE);
    }

    /** A report with no rejected manifests (the form before manifests were ranked). */
    public RestoreReport(Vguid vguid, Hash32 manifestName, long bytes, long blocks, int fragmentsFetched,
            List<CorruptFragment> corrupt, List<Integer> nodesDown) {
        this(vguid, manifestName, bytes, blocks, fragmentsFetched, corrupt, nodesDown, List.of());
    }
}
