package ostore.store.memory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.PublicKey;
import ostore.crypto.Vguid;
import ostore.store.HistoryEntry;
import ostore.store.StoredVersion;
import ostore.store.Uncertified;
import ostore.store.core.JournalEntry;
import ostore.store.core.NonceRecord;

/**
 * The maps a {@link MemoryVersionStore} keeps, and an undo log of every write since the last
 * {@link #markDurable()}. A crash rolls the undo log back, leaving exactly the durable state
 * without copying anything: the stored records and block arrays are immutable (never handed out
 * uncopied), so durable and live state are the same objects up to the undo log.
 *
 * <p>Lookups never depend on hash-map iteration order: lists are kept in seq and history order,
 * and maps are only ever read by key.
 */
final class MemoryState {
    /** One object: versions at index seq - 1, history at its index, certificates by seq. */
    private static final class ObjectState {
        final List<StoredVersion> versions = new ArrayList<>();
        final List<HistoryEntry> history = new ArrayList<>();
        final Map<Long, byte[]> certificates = new HashMap<>();
    }

    private record NonceKey(Aguid aguid, PublicKey writer, long nonce) {}

    /** A version's key: aguid and seq, ordered as the RocksDB store orders them (aguid bytes, then seq). */
    private record VersionKey(Aguid aguid, long seq) implements Comparable<VersionKey> {
        @Override
        public int compareTo(VersionKey o) {
            int byAguid = java.util.Arrays.compareUnsigned(aguid.toBytes(), o.aguid.toBytes());
            return byAguid != 0 ? byAguid : Long.compare(seq, o.seq);
        }
    }

    private final Map<Aguid, ObjectState> objects = new HashMap<>();
    private final Map<Bguid, byte[]> blocks = new HashMap<>();
    private final Map<Vguid, StoredVersion> byVguid = new HashMap<>();
    private final Map<NonceKey, NonceRecord> byNonce = new HashMap<>();
    /** Versions stored without a certificate, by aguid then seq: VersionStore#uncertified. */
    private final TreeMap<VersionKey, Uncertified> uncertified = new TreeMap<>();
    /** Per color, its journal entries by position. */
    private final Map<Integer, TreeMap<Long, byte[]>> journals = new HashMap<>();
    /** Undoes the writes since the last markDurable, newest first. */
    private final Deque<Runnable> undo = new ArrayDeque<>();

    Optional<StoredVersion> latest(Aguid aguid) {
        return object(aguid).filter(o -> !o.versions.isEmpty()).map(o -> o.versions.getLast());
    }

    Optional<StoredVersion> version(Aguid aguid, long seq) {
        return object(aguid).filter(o -> seq <= o.versions.size()).map(o -> o.versions.get((int) (seq - 1)));
    }

    Optional<StoredVersion> named(Aguid aguid, Vguid vguid) {
        return Optional.ofNullable(byVguid.get(vguid)).filter(v -> v.root().aguid().equals(aguid));
    }

    /** Binary search, sound because a version's timestamp is never below its predecessor's. */
    Optional<StoredVersion> asOf(Aguid aguid, long timestampMicros) {
        List<StoredVersion> versions = object(aguid).map(o -> o.versions).orElse(List.of());
        int low = 0;
        int high = versions.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (versions.get(mid).root().timestampMicros() <= timestampMicros) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low == 0 ? Optional.empty() : Optional.of(versions.get(low - 1));
    }

    Optional<byte[]> block(Bguid bguid) {
        return Optional.ofNullable(blocks.get(bguid)).map(byte[]::clone);
    }

    long historyLength(Aguid aguid) {
        return historyOf(aguid).size();
    }

    List<HistoryEntry> history(Aguid aguid, long fromIndex, long max) {
        List<HistoryEntry> all = historyOf(aguid);
        int from = (int) Math.min(fromIndex, all.size());
        int to = (int) Math.min(all.size(), from + Math.min(max, Integer.MAX_VALUE));
        return List.copyOf(all.subList(from, to));
    }

    Optional<NonceRecord> byNonce(Aguid aguid, PublicKey writer, long nonce) {
        return Optional.ofNullable(byNonce.get(new NonceKey(aguid, writer, nonce)));
    }

    Optional<byte[]> certificate(Aguid aguid, long seq) {
        return object(aguid).map(o -> o.certificates.get(seq)).map(byte[]::clone);
    }

    /** @param bytes an array nobody else holds; it is kept, not copied */
    void putBlockIfAbsent(Bguid bguid, byte[] bytes) {
        if (blocks.putIfAbsent(bguid, bytes) == null) {
            undo.push(() -> blocks.remove(bguid));
        }
    }

    void addVersion(StoredVersion v) {
        ObjectState o = objectForWrite(v.root().aguid());
        assert v.root().seq() == o.versions.size() + 1 : "versions are added in seq order";
        assert o.versions.isEmpty() || o.versions.getLast().root().timestampMicros() <= v.root().timestampMicros()
                : "timestamps never go back within an object";
        o.versions.add(v);
        byVguid.put(v.vguid(), v);
        undo.push(() -> {
            o.versions.removeLast();
            byVguid.remove(v.vguid());
        });
    }

    void addHistory(HistoryEntry h) {
        ObjectState o = objectForWrite(h.aguid());
        assert h.index() == o.history.size() : "history entries are added in index order";
        NonceKey key = new NonceKey(h.aguid(), h.writer(), h.nonce());
        o.history.add(h);
        byNonce.put(key, new NonceRecord.Executed(h));
        undo.push(() -> {
            o.history.removeLast();
            byNonce.remove(key);
        });
    }

    /** Burns the refused update's nonce; the object itself, which may not exist, is not touched. */
    void addRefusal(NonceRecord.Refused r) {
        NonceKey key = new NonceKey(r.aguid(), r.writer(), r.nonce());
        NonceRecord earlier = byNonce.putIfAbsent(key, r);
        assert earlier == null : "a nonce is burned once";
        undo.push(() -> byNonce.remove(key));
    }

    /** @param certificate an array nobody else holds; it is kept, not copied */
    void putCertificate(Aguid aguid, long seq, byte[] certificate) {
        ObjectState o = objects.get(aguid);
        assert o != null && seq >= 1 && seq <= o.versions.size() : "certifies a stored version";
        byte[] replaced = o.certificates.put(seq, certificate);
        Uncertified mark = uncertified.remove(new VersionKey(aguid, seq));
        undo.push(() -> {
            if (replaced == null) {
                o.certificates.remove(seq);
            } else {
                o.certificates.put(seq, replaced);
            }
            if (mark != null) {
                uncertified.put(new VersionKey(aguid, seq), mark);
            }
        });
    }

    /** Marks a version just stored as still without a certificate. */
    void markUncertified(Uncertified mark) {
        VersionKey key = new VersionKey(mark.aguid(), mark.seq());
        uncertified.put(key, mark);
        undo.push(() -> uncertified.remove(key));
    }

    List<Uncertified> uncertified(Uncertified after, int max) {
        var tail = after == null ? uncertified : uncertified.tailMap(new VersionKey(after.aguid(), after.seq()), false);
        return tail.values().stream().limit(max).toList();
    }

    long uncertifiedCount() {
        return uncertified.size();
    }

    /** @param entry an array nobody else holds; it is kept, not copied */
    void addJournal(int color, long position, byte[] entry) {
        TreeMap<Long, byte[]> journal = journals.computeIfAbsent(color, c -> new TreeMap<>());
        journal.put(position, entry);
        undo.push(() -> journal.remove(position));
    }

    /** Visits the entries of {@code color} in (after, upTo] in order while the visitor returns true. */
    void scanJournal(int color, long after, long upTo, BiPredicate<Long, byte[]> visitor) {
        if (upTo <= after) {
            return;
        }
        for (var e : journals.getOrDefault(color, new TreeMap<>()).subMap(after, false, upTo, true).entrySet()) {
            if (!visitor.test(e.getKey(), e.getValue())) {
                return;
            }
        }
    }

    /**
     * Removes every record {@code color}'s journal names, and the journal. Writes no undo: the
     * caller makes the store durable at once, as erasing a color is durable on RocksDB.
     */
    void eraseColor(int color) {
        TreeMap<Long, byte[]> journal = journals.remove(color);
        if (journal == null) {
            return;
        }
        for (byte[] bytes : journal.values()) {
            JournalEntry e = JournalEntry.decode(bytes);
            ObjectState o = objects.remove(e.aguid());
            if (o != null) {
                o.versions.forEach(v -> {
                    byVguid.remove(v.vguid());
                    uncertified.remove(new VersionKey(e.aguid(), v.root().seq()));
                });
            }
            e.history().ifPresent(h -> byNonce.remove(new NonceKey(h.aguid(), h.writer(), h.nonce())));
            e.refusal().ifPresent(r -> byNonce.remove(new NonceKey(r.aguid(), r.writer(), r.nonce())));
        }
    }

    /** Everything written so far now survives {@link #rollBack()}. */
    void markDurable() {
        undo.clear();
    }

    /** Undoes every write since the last {@link #markDurable()}, newest first. */
    void rollBack() {
        while (!undo.isEmpty()) {
            undo.pop().run();
        }
    }

    private Optional<ObjectState> object(Aguid aguid) {
        return Optional.ofNullable(objects.get(aguid));
    }

    private List<HistoryEntry> historyOf(Aguid aguid) {
        return object(aguid).map(o -> o.history).orElse(List.of());
    }

    /** An object appears with its first write; a rollback past that write removes it again. */
    private ObjectState objectForWrite(Aguid aguid) {
        ObjectState o = objects.get(aguid);
        if (o == null) {
            o = new ObjectState();
            objects.put(aguid, o);
            undo.push(() -> objects.remove(aguid));
        }
        return o;
    }
}
