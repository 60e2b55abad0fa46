package ostore.store.testing;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import ostore.crypto.Aguid;
import ostore.crypto.BlockListHash;
import ostore.store.HistoryEntry;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.VersionStore;

/**
 * Everything a client could observe of some objects in a store, and every color's applied
 * position, as plain values, so two stores are compared with one {@code assertEquals} whose
 * failure shows where they differ. Bytes are kept as hex, which has value equality where arrays
 * do not.
 */
public record StoreSnapshot(List<Long> appliedPositions, Map<Aguid, ObjectSnapshot> objects) {
    /**
     * @param versions every version, by seq from 1
     * @param blocks each version's block bytes, in hex
     * @param certificates each version's certificate, in hex
     * @param asOf the seq an as-of read returns at each version's timestamp and one before it
     * @param byVguid the seq a read by each version's VGUID returns
     * @param byNonce what a nonce lookup returns for each history entry's (writer, nonce)
     */
    public record ObjectSnapshot(List<HistoryEntry> history, List<StoredVersion> versions,
            List<List<String>> blocks, List<Optional<String>> certificates, List<Optional<Long>> asOf,
            List<Optional<Long>> byVguid, List<Optional<HistoryEntry>> byNonce) {}

    public static StoreSnapshot of(VersionStore store, List<Aguid> aguids) {
        Map<Aguid, ObjectSnapshot> objects = new LinkedHashMap<>();
        aguids.forEach(a -> objects.put(a, object(store, a)));
        List<Long> positions = IntStream.range(0, VersionStore.MAX_COLORS).mapToObj(store::appliedPosition).toList();
        return new StoreSnapshot(positions, objects);
    }

    private static ObjectSnapshot object(VersionStore store, Aguid aguid) {
        HexFormat hex = HexFormat.of();
        long latest = store.read(aguid, new Selector.Latest()).map(v -> v.root().seq()).orElse(0L);
        List<StoredVersion> versions = new ArrayList<>();
        List<List<String>> blocks = new ArrayList<>();
        List<Optional<String>> certificates = new ArrayList<>();
        List<Optional<Long>> asOf = new ArrayList<>();
        List<Optional<Long>> byVguid = new ArrayList<>();
        for (long seq = 1; seq <= latest; seq++) {
            StoredVersion v = store.read(aguid, new Selector.BySeq(seq)).orElseThrow();
            versions.add(v);
            blocks.add(v.blocks().stream().map(BlockListHash.Entry::bguid)
                    .map(b -> store.block(b).map(hex::formatHex).orElse("missing")).toList());
            byVguid.add(store.read(aguid, new Selector.ByVguid(v.vguid())).map(found -> found.root().seq()));
            certificates.add(store.certificate(aguid, seq).map(hex::formatHex));
            for (long t : new long[] {v.root().timestampMicros() - 1, v.root().timestampMicros()}) {
                asOf.add(store.read(aguid, new Selector.AsOf(t)).map(found -> found.root().seq()));
            }
        }
        List<HistoryEntry> history = store.history(aguid, 0, 0);
        List<Optional<HistoryEntry>> byNonce = history.stream()
                .map(h -> store.findByNonce(aguid, h.writer(), h.nonce())).toList();
        return new ObjectSnapshot(history, versions, blocks, certificates, asOf, byVguid, byNonce);
    }
}
