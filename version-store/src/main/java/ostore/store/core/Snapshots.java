package ostore.store.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.PublicKey;
import ostore.store.SnapshotPage;

/**
 * Serving and checking snapshot pages for {@link AbstractVersionStore}: the paging of a color's
 * journal within a byte budget, and every check an installed page must pass before any of it is
 * written, so that a page from a faulty peer is refused whole instead of leaving the store
 * inconsistent (the store digest comparison at the end catches a page that is merely wrong).
 */
final class Snapshots {
    /** An entry of a page that passed every check, with the supplied bytes of the blocks it first stores. */
    record Checked(JournalEntry entry, byte[] bytes, Map<Bguid, byte[]> blocks) {}

    /** Counted per entry and block besides their bytes (length prefixes). */
    private static final int OVERHEAD_BYTES = 8;

    private Snapshots() {}

    static SnapshotPage page(AbstractVersionStore store, int color, long after, long upTo, int maxBytes) {
        List<byte[]> entries = new ArrayList<>();
        List<byte[]> blocks = new ArrayList<>();
        List<SnapshotPage.Attached> certificates = new ArrayList<>();
        Set<Bguid> sent = new HashSet<>();
        long[] last = {after};
        long[] bytes = {0};
        boolean[] stopped = {false};
        store.scanJournal(color, after, upTo, (position, entry) -> {
            List<byte[]> own = new ArrayList<>();
            long cost = OVERHEAD_BYTES + entry.length;
            JournalEntry e = JournalEntry.decode(entry);
            var certificate = e.version().flatMap(v -> store.loadCertificate(e.aguid(), v.root().seq())
                    .map(c -> new SnapshotPage.Attached(e.aguid(), v.root().seq(), c)));
            cost += certificate.map(c -> OVERHEAD_BYTES + c.certificate().length).orElse(0);
            for (Bguid b : e.newBlocks()) {
                if (sent.contains(b)) {
                    continue;
                }
                byte[] block = store.blockBytes(b).orElseThrow(() -> new IllegalStateException("block " + b
                        + " journaled at color " + color + " position " + position + " is missing"));
                own.add(block);
                cost += OVERHEAD_BYTES + block.length;
            }
            if (!entries.isEmpty() && bytes[0] + cost > maxBytes) {
                stopped[0] = true;
                return false;
            }
            entries.add(entry);
            certificate.ifPresent(certificates::add);
            own.forEach(block -> {
                blocks.add(block);
                sent.add(Bguid.ofBlock(block));
            });
            bytes[0] += cost;
            last[0] = position;
            return true;
        });
        return new SnapshotPage(entries, blocks, certificates, last[0], !stopped[0]);
    }

    /**
     * Decodes and checks every entry of {@code page} against the store and the entries before it:
     * positions above {@code applied} and increasing, history indexes and version seqs next in
     * their objects, nonces unused, and every block a version names stored or supplied. Supplied
     * blocks are named by the hash of their bytes, so they cannot be forged.
     *
     * @throws IllegalArgumentException naming the first problem
     */
    static List<Checked> check(AbstractVersionStore store, int color, long applied, SnapshotPage page) {
        Map<Bguid, byte[]> supplied = new HashMap<>();
        page.blocks().forEach(b -> supplied.put(Bguid.ofBlock(b), b));
        Map<Aguid, Long> nextIndex = new HashMap<>();
        Map<Aguid, Long> nextSeq = new HashMap<>();
        Set<List<Object>> nonces = new HashSet<>();
        Set<Bguid> available = new HashSet<>();
        List<Checked> out = new ArrayList<>();
        long previous = applied;
        for (byte[] bytes : page.entries()) {
            JournalEntry e = JournalEntry.decode(bytes);
            String at = "snapshot entry at color " + color + " position " + e.position();
            if (e.position() <= previous) {
                throw new IllegalArgumentException(at + " does not follow position " + previous);
            }
            previous = e.position();
            Aguid aguid = e.aguid();
            e.history().ifPresent(h -> {
                long expected = nextIndex.computeIfAbsent(aguid, store::historyLength);
                if (h.index() != expected) {
                    throw new IllegalArgumentException(at + ": history index " + h.index() + " where " + expected
                            + " is next");
                }
                nextIndex.put(aguid, expected + 1);
                requireUnused(store, nonces, aguid, h.writer(), h.nonce(), at);
            });
            e.refusal().ifPresent(r -> requireUnused(store, nonces, aguid, r.writer(), r.nonce(), at));
            Map<Bguid, byte[]> blocks = new HashMap<>();
            if (e.version().isPresent()) {
                var v = e.version().get();
                long expected = nextSeq.computeIfAbsent(aguid,
                        a -> store.latestVersion(a).map(l -> l.root().seq()).orElse(0L) + 1);
                if (v.root().seq() != expected) {
                    throw new IllegalArgumentException(at + ": version " + v.root().seq() + " where " + expected
                            + " is next");
                }
                nextSeq.put(aguid, expected + 1);
                for (Bguid b : e.newBlocks()) {
                    if (supplied.containsKey(b)) {
                        blocks.put(b, supplied.get(b));
                    }
                }
                available.addAll(blocks.keySet());
                for (BlockListHash.Entry b : v.blocks()) {
                    if (!available.contains(b.bguid()) && store.blockBytes(b.bguid()).isEmpty()) {
                        throw new IllegalArgumentException(at + ": version " + v.root().seq() + " names block "
                                + b.bguid() + ", which is neither stored nor supplied");
                    }
                    available.add(b.bguid());
                }
            }
            out.add(new Checked(e, bytes, blocks));
        }
        return out;
    }

    private static void requireUnused(AbstractVersionStore store, Set<List<Object>> nonces, Aguid aguid,
            PublicKey writer, long nonce, String at) {
        if (!nonces.add(List.of(aguid, writer, nonce)) || store.nonceRecord(aguid, writer, nonce).isPresent()) {
            throw new IllegalArgumentException(at + ": nonce " + Long.toUnsignedString(nonce) + " of writer " + writer
                    + " on object " + aguid + " is already used");
        }
    }
}
