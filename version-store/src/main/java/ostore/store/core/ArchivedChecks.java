package ostore.store.core;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Vguid;
import ostore.store.StoredVersion;

/**
 * The rules a version from the deep archive must meet before a store installs it
 * ({@link AbstractVersionStore#installArchived}): it must continue what the store holds of its
 * object, so a rebuilt store's versions chain exactly as the ring certified them.
 */
final class ArchivedChecks {
    private ArchivedChecks() {}

    /**
     * Checks that {@code v} continues its object after {@code latest} (the next seq, that version as
     * predecessor, no earlier timestamp) and that every block it names is stored; returns the
     * blocks it names and {@code latest} does not, in order, each once (its journal entry's).
     */
    static List<Bguid> continuing(StoredVersion v, Optional<StoredVersion> latest, Predicate<Bguid> hasBlock,
            String what) {
        long next = latest.map(l -> l.root().seq()).orElse(0L) + 1;
        if (v.root().seq() != next) {
            throw new IllegalArgumentException(what + ": this store's next version of the object is " + next
                    + "; archived versions are installed in seq order from 1");
        }
        Optional<Vguid> predecessor = latest.map(StoredVersion::vguid);
        if (!v.root().predecessor().equals(predecessor)) {
            throw new IllegalArgumentException(what + " names predecessor " + v.root().predecessor().orElse(null)
                    + " but the stored version " + (next - 1) + " is " + predecessor.orElse(null));
        }
        if (latest.isPresent() && v.root().timestampMicros() < latest.get().root().timestampMicros()) {
            throw new IllegalArgumentException(what + " has timestamp " + v.root().timestampMicros()
                    + ", before its predecessor's " + latest.get().root().timestampMicros());
        }
        Set<Bguid> inherited = new HashSet<>();
        latest.ifPresent(l -> l.blocks().forEach(b -> inherited.add(b.bguid())));
        Set<Bguid> fresh = new LinkedHashSet<>();
        for (BlockListHash.Entry b : v.blocks()) {
            if (!hasBlock.test(b.bguid())) {
                throw new IllegalArgumentException(what + " names block " + b.bguid() + ", which is not stored: stage"
                        + " every block before installing the version");
            }
            if (!inherited.contains(b.bguid())) {
                fresh.add(b.bguid());
            }
        }
        return List.copyOf(fresh);
    }
}
