package ostore.store.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.CanonicalDecoder;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.crypto.PublicKey;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.StoredVersion;

/**
 * The records one apply created, at its log position: the unit of a color's snapshot. Every apply
 * that writes anything journals one entry, keyed by (color, position), so a color's state at any
 * position p is exactly its entries at or below p: records are append-only, so a replica can serve
 * an old checkpoint's state while it keeps executing. The entry's bytes are also what the color's
 * store digest chains over ({@link #chain}), so a receiver that installs entries and reaches the
 * certified digest holds exactly the state the ring certified.
 *
 * <p>Format 1, big-endian: {@code [u8 format = 1][i64 position][32 aguid][u8 parts]} where parts
 * bit 0 = history, bit 1 = version, bit 2 = refusal, bit 3 = archived (the version was installed
 * from the deep archive: it comes alone, parts = 0b1010, with no history entry, since the archive
 * keeps versions and not the updates that made them); then, if present, history {@code i64 index,
 * bytes record}, version {@code bytes record}, refusal {@code bytes writer, i64 nonce, bytes
 * record} (records in {@link RecordCodec}'s formats), and {@code u32 n, n x 32} the BGUIDs the
 * version was first to store, in ascending order. Blocks are content-addressed and not journaled.
 */
public record JournalEntry(long position, Aguid aguid, Optional<HistoryEntry> history,
        Optional<StoredVersion> version, Optional<NonceRecord.Refused> refusal, List<Bguid> newBlocks) {
    public static final int FORMAT = 1;
    private static final int HISTORY = 1;
    private static final int VERSION = 2;
    private static final int REFUSAL = 4;
    private static final int ARCHIVED = 8;

    public JournalEntry {
        Objects.requireNonNull(aguid, "aguid");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(refusal, "refusal");
        newBlocks = newBlocks.stream().sorted().toList();
        if (position < 0) {
            throw new IllegalArgumentException("position (" + position + ") must be >= 0");
        }
        boolean executed = history.isPresent() && refusal.isEmpty();
        boolean refused = refusal.isPresent() && history.isEmpty() && version.isEmpty();
        boolean archived = version.isPresent() && history.isEmpty() && refusal.isEmpty();
        if (!(executed || refused || archived) || version.isEmpty() && !newBlocks.isEmpty()) {
            throw new IllegalArgumentException("a journal entry holds a history entry (with a version and its blocks,"
                    + " if it committed), a refusal, or an archived version and its blocks");
        }
        history.ifPresent(h -> requireObject(h.aguid(), aguid));
        version.ifPresent(v -> requireObject(v.root().aguid(), aguid));
        refusal.ifPresent(r -> requireObject(r.aguid(), aguid));
    }

    private static void requireObject(Aguid found, Aguid aguid) {
        if (!found.equals(aguid)) {
            throw new IllegalArgumentException("a record of object " + found + " in an entry of object " + aguid);
        }
    }

    /** The entry {@code change} writes at {@code position}, or empty if it writes nothing. */
    static Optional<JournalEntry> of(Change change, long position) {
        Optional<Aguid> aguid = change.entry().map(HistoryEntry::aguid).or(() -> change.refusal().map(r -> r.aguid()));
        return aguid.map(a -> new JournalEntry(position, a, change.entry(), change.version(), change.refusal(),
                List.copyOf(change.newBlocks().keySet())));
    }

    /**
     * The entry of a version installed from the deep archive. Its new blocks are those it names
     * and its predecessor does not: what an update would have been first to store, and what a
     * snapshot of the color must carry, decided from the versions alone so every store agrees.
     */
    static JournalEntry archived(long position, StoredVersion version, List<Bguid> newBlocks) {
        return new JournalEntry(position, version.root().aguid(), Optional.empty(), Optional.of(version),
                Optional.empty(), newBlocks);
    }

    /** True for a version installed from the deep archive, which no update in this store made. */
    public boolean archived() {
        return history.isEmpty() && refusal.isEmpty();
    }

    public byte[] encode() {
        int parts = (history.isPresent() ? HISTORY : 0) | (version.isPresent() ? VERSION : 0)
                | (refusal.isPresent() ? REFUSAL : 0) | (archived() ? ARCHIVED : 0);
        CanonicalEncoder e = new CanonicalEncoder(512).u8(FORMAT).i64(position).hash(aguid.hash()).u8(parts);
        history.ifPresent(h -> e.i64(h.index()).bytes(RecordCodec.encodeHistory(h)));
        version.ifPresent(v -> e.bytes(RecordCodec.encodeVersion(v)));
        refusal.ifPresent(r -> e.bytes(r.writer().toBytes()).i64(r.nonce()).bytes(RecordCodec.encodeNonceRefused(r)));
        e.u32(newBlocks.size());
        newBlocks.forEach(b -> e.hash(b.hash()));
        return e.toByteArray();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not a well-formed format 1 entry */
    public static JournalEntry decode(byte[] bytes) {
        CanonicalDecoder d = new CanonicalDecoder(bytes);
        int format = d.u8("journal format");
        if (format != FORMAT) {
            throw new IllegalArgumentException("journal format (" + format + ") must be " + FORMAT);
        }
        long position = d.u63("position");
        Aguid aguid = new Aguid(d.hash("aguid"));
        int parts = d.u8("parts");
        if ((parts & ~(HISTORY | VERSION | REFUSAL | ARCHIVED)) != 0) {
            throw new IllegalArgumentException("journal parts (" + parts + ") has unknown bits");
        }
        // An archived version comes alone, and a version without history is only ever an archived one.
        boolean archivedBit = (parts & ARCHIVED) != 0;
        if (archivedBit ? parts != (VERSION | ARCHIVED) : (parts & (VERSION | HISTORY)) == VERSION) {
            throw new IllegalArgumentException("journal parts (" + parts + ") must mark a version without history"
                    + " as archived, and an archived version alone");
        }
        try {
            Optional<HistoryEntry> history = Optional.empty();
            if ((parts & HISTORY) != 0) {
                long index = d.u63("history index");
                history = Optional.of(RecordCodec.decodeHistory(aguid, index, d.bytes("history record")));
            }
            Optional<StoredVersion> version = (parts & VERSION) == 0 ? Optional.empty()
                    : Optional.of(RecordCodec.decodeVersion(d.bytes("version record")));
            Optional<NonceRecord.Refused> refusal = Optional.empty();
            if ((parts & REFUSAL) != 0) {
                PublicKey writer = PublicKey.of(d.bytes("writer"));
                long nonce = d.i64("nonce");
                refusal = Optional.of((NonceRecord.Refused) RecordCodec.decodeNonce(aguid, writer, nonce,
                        d.bytes("refusal record"), i -> {
                            throw new IllegalArgumentException("a refusal entry names history entry " + i);
                        }));
            }
            int n = d.count("new blocks", Hash32.LENGTH);
            List<Bguid> blocks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                blocks.add(new Bguid(d.hash("block")));
            }
            d.end("journal entry");
            return new JournalEntry(position, aguid, history, version, refusal, blocks);
        } catch (IllegalStateException | ClassCastException e) {
            throw new IllegalArgumentException("journal entry at position " + position + ": " + e.getMessage(), e);
        }
    }

    /**
     * The color's store digest after {@code entryBytes}: H(previous ‖ color ‖ entry). A chain
     * rather than a multiset hash because entries are created, served and installed in position
     * order, and a chain also binds that order.
     */
    public static Hash32 chain(Hash32 previous, int color, byte[] entryBytes) {
        byte[] m = new CanonicalEncoder(40 + entryBytes.length).hash(previous).u8(color).bytes(entryBytes).toByteArray();
        return Hashing.hash(Domain.STORE_STATE, m);
    }

    /** What persisting this entry writes, as an apply would have. */
    Change toChange(Map<Bguid, byte[]> blocks) {
        if (archived()) {
            return Change.archived(version.orElseThrow(), blocks);
        }
        Outcome outcome = refusal.<Outcome>map(NonceRecord.Refused::rejected)
                .orElseGet(() -> version.<Outcome>map(v -> new Outcome.Committed(v, history.orElseThrow()))
                        .orElseGet(() -> new Outcome.Aborted(Optional.empty(), history.orElseThrow())));
        return new Change(Optional.of(outcome), history, refusal, version, blocks);
    }
}
