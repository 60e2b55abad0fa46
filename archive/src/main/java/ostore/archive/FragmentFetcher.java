package ostore.archive;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import ostore.archive.codec.Codecs;
import ostore.archive.codec.ErasureCodec;
import ostore.archive.fragment.CodeParams;
import ostore.archive.fragment.Fragment;
import ostore.archive.manifest.Manifest;
import ostore.archive.manifest.StripeFragments;
import ostore.archive.store.ArchiveNames;
import ostore.archive.store.CorruptObjectException;
import ostore.crypto.Hash32;

/**
 * Fetches the fragments of one stripe and keeps only those that verify: the bytes must hash to the
 * name the manifest lists, and the header must be the one that stripe and shard have. Only then
 * are they handed to the codec, which trusts its input. Each fragment is asked of its placed node
 * first; if that does not give enough, of every other node that is not down (a repair may have
 * moved it).
 */
final class FragmentFetcher {
    private static final Logger LOG = Logger.getLogger(FragmentFetcher.class.getName());
    private final ArchiveNodes nodes;
    private final FetchLog log;
    private final Map<Long, ErasureCodec> codecs = new HashMap<>();

    FragmentFetcher(ArchiveNodes nodes, FetchLog log) {
        this.nodes = nodes;
        this.log = log;
    }

    /** The verified shards of one stripe, as far as they were found. */
    static final class StripeShards {
        final byte[][] shards;
        final boolean[] present;
        final int[] heldBy;
        final int shardLength;
        final int dataBytes;
        int good;
        int corrupt;

        StripeShards(int total, int shardLength, int dataBytes) {
            this.shards = new byte[total][];
            this.present = new boolean[total];
            this.heldBy = new int[total];
            java.util.Arrays.fill(heldBy, -1);
            this.shardLength = shardLength;
            this.dataBytes = dataBytes;
        }
    }

    /** Fetches verified fragments of {@code stripe} until {@code want} are good or none are left to ask. */
    StripeShards fetch(Manifest m, int stripe, int want) {
        CodeParams code = m.code();
        int dataBytes = code.stripeDataBytes(m.archivedBytes(), stripe);
        StripeShards s = new StripeShards(code.totalShards(), code.shardLength(dataBytes), dataBytes);
        StripeFragments placed = m.stripes().get(stripe);
        for (int i = 0; i < code.totalShards() && s.good < want; i++) {
            if (placed.node(i) < nodes.count()) {
                // A manifest made for more nodes than there are now (or forged) may place past the end.
                tryNode(m, stripe, i, placed.node(i), s);
            }
        }
        for (int i = 0; i < code.totalShards() && s.good < want; i++) {
            for (int node = 0; node < nodes.count() && !s.present[i]; node++) {
                if (node != placed.node(i)) {
                    tryNode(m, stripe, i, node, s);
                }
            }
        }
        return s;
    }

    /** Rebuilds every shard not present (all of them, data and parity) from k good ones. */
    void decodeMissing(CodeParams code, StripeShards s) {
        boolean complete = true;
        for (int i = 0; i < s.shards.length; i++) {
            if (!s.present[i]) {
                s.shards[i] = new byte[s.shardLength];
                complete = false;
            }
        }
        if (!complete) {
            codec(code).decodeMissing(s.shards, s.present, 0, s.shardLength);
        }
    }

    /** Rebuilds only the data shards not present (what a reader needs) from k good ones. */
    void decodeMissingData(CodeParams code, StripeShards s) {
        boolean complete = true;
        for (int i = 0; i < s.shards.length; i++) {
            if (!s.present[i]) {
                s.shards[i] = new byte[s.shardLength];
                complete &= i >= code.dataShards();
            }
        }
        if (!complete) {
            codec(code).decodeMissingData(s.shards, s.present, 0, s.shardLength);
        }
    }

    ErasureCodec codec(CodeParams code) {
        return codecs.computeIfAbsent((long) code.dataShards() << 32 | code.parityShards(),
                key -> Codecs.open(code.dataShards(), code.parityShards()));
    }

    private void tryNode(Manifest m, int stripe, int shard, int node, StripeShards s) {
        if (log.isDown(node)) {
            return;
        }
        Hash32 name = m.stripes().get(stripe).name(shard);
        Optional<byte[]> bytes;
        try {
            bytes = nodes.get(node, name);
        } catch (CorruptObjectException e) {
            s.corrupt++;
            log.corrupt(new CorruptFragment(node, name, "the node found it corrupt: " + e.getMessage()));
            return;
        } catch (IOException e) {
            log.down(node);
            return;
        } catch (RuntimeException e) {
            // A node's broken answer fails that node, not the read; logged in case it is a bug here.
            LOG.log(Level.WARNING, "storage node " + node + " failed unexpectedly on get " + name, e);
            log.down(node);
            return;
        }
        if (bytes.isEmpty()) {
            return;
        }
        String problem = verify(m, stripe, shard, name, bytes.get(), s);
        if (problem != null) {
            s.corrupt++;
            log.corrupt(new CorruptFragment(node, name, problem));
            return;
        }
        s.present[shard] = true;
        s.heldBy[shard] = node;
        s.good++;
        log.fetched(bytes.get().length);
    }

    private static String verify(Manifest m, int stripe, int shard, Hash32 name, byte[] bytes, StripeShards s) {
        Hash32 actual = ArchiveNames.objectName(bytes);
        if (!actual.equals(name)) {
            return bytes.length + " bytes hash to " + actual;
        }
        Fragment f;
        try {
            f = Fragment.decode(bytes);
        } catch (IllegalArgumentException e) {
            return "malformed: " + e.getMessage();
        }
        CodeParams code = m.code();
        if (f.codeId() != code.codeId() || f.dataShards() != code.dataShards()
                || f.parityShards() != code.parityShards() || f.shardIndex() != shard || f.stripeIndex() != stripe
                || f.stripeDataBytes() != s.dataBytes) {
            return "its header (" + f + ", " + f.stripeDataBytes() + " data bytes) is not stripe " + stripe + " shard "
                    + shard + " of the manifest";
        }
        if (f.shardUnsafe().length != s.shardLength) {
            return "its shard holds " + f.shardUnsafe().length + " bytes, the stripe's shards " + s.shardLength;
        }
        s.shards[shard] = f.shardUnsafe();
        return null;
    }
}
