package ostore.store;

import java.util.List;
import java.util.Objects;
import ostore.crypto.Aguid;

/**
 * One page of a color's records up to a position, as {@link VersionStore#snapshot} serves them
 * and {@link VersionStore#install} takes them: journal entries in position order (opaque bytes,
 * checked by the receiving store) and the bytes of the blocks their versions were first to store.
 * A replica that lost its state rebuilds a color from such pages; the pages need not be trusted,
 * because the receiver compares its resulting {@link VersionStore#storeDigest} with a certified one.
 *
 * <p>Certificates ride along but are not part of the snapshot's state: replicas hold different
 * ones (different 2f+1 signers), so the store digest does not cover them and {@link
 * VersionStore#install} ignores them; the ring checks each against its keys and attaches it.
 *
 * @param entries encoded journal entries, positions strictly increasing
 * @param blocks block bytes, each named by its BGUID
 * @param certificates the server's certificates of versions the entries create, where it has one
 * @param lastPosition the position of the last entry, or the asked-after position if none
 * @param complete true if no entry of the color lies between the last one and the asked bound
 */
public record SnapshotPage(List<byte[]> entries, List<byte[]> blocks, List<Attached> certificates,
        long lastPosition, boolean complete) {
    /** A certificate as {@link VersionStore#certificate} returns it, with the version it certifies. */
    public record Attached(Aguid aguid, long seq, byte[] certificate) {
        public Attached {
            Objects.requireNonNull(aguid, "aguid");
            Objects.requireNonNull(certificate, "certificate");
        }
    }

    public SnapshotPage {
        entries = List.copyOf(entries);
        blocks = List.copyOf(blocks);
        certificates = List.copyOf(certificates);
    }
}
