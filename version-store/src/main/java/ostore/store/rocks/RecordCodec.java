package ostore.store.rocks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash.Entry;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.PublicKey;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;
import ostore.store.HistoryEntry;
import ostore.store.StoredVersion;

/**
 * The on-disk encodings of versions and history entries. Each record starts with its own format
 * byte and uses explicit codes, never enum ordinals; golden tests pin the bytes. The VGUID is not
 * stored: it is recomputed from the root on read, so a stored root and its name cannot disagree.
 */
final class RecordCodec {
    static final int VERSION_FORMAT = 1;
    static final int HISTORY_FORMAT = 1;
    /** Outcome codes, equal to {@code ostore.v1.Outcome}. */
    static final int COMMITTED = 1;
    static final int ABORTED = 2;

    private RecordCodec() {}

    static byte[] encodeVersion(StoredVersion v) {
        VersionRoot r = v.root();
        CanonicalEncoder e = new CanonicalEncoder(160 + 36 * v.blocks().size())
                .u8(VERSION_FORMAT).hash(r.aguid().hash()).i64(r.seq()).bool(r.predecessor().isPresent());
        r.predecessor().ifPresent(p -> e.hash(p.hash()));
        e.i64(r.size()).i64(r.blockCount()).hash(r.blocksRoot()).i64(r.timestampMicros());
        e.bytes(r.acl().owner().toBytes()).u32(r.acl().writers().size());
        r.acl().writers().forEach(w -> e.bytes(w.toBytes()));
        e.bool(r.acl().encrypted()).hash(r.updateDigest());
        for (Entry b : v.blocks()) {
            e.hash(b.bguid().hash()).u32(b.length());
        }
        return e.toByteArray();
    }

    static StoredVersion decodeVersion(byte[] bytes) {
        RecordReader in = new RecordReader(bytes, "version");
        in.expectFormat(VERSION_FORMAT);
        Aguid aguid = new Aguid(in.hash());
        long seq = in.i64();
        Optional<Vguid> predecessor = in.bool() ? Optional.of(new Vguid(in.hash())) : Optional.empty();
        long size = in.i64();
        long blockCount = in.i64();
        var blocksRoot = in.hash();
        long timestamp = in.i64();
        Acl acl = decodeAcl(in);
        VersionRoot root = new VersionRoot(aguid, seq, predecessor, size, blockCount, blocksRoot, timestamp, acl,
                in.hash());
        List<Entry> blocks = new ArrayList<>((int) Math.min(blockCount, 1 << 16));
        for (long i = 0; i < blockCount; i++) {
            blocks.add(new Entry(new Bguid(in.hash()), (int) in.u32()));
        }
        in.end();
        return new StoredVersion(root, root.vguid(), blocks);
    }

    private static Acl decodeAcl(RecordReader in) {
        PublicKey owner = PublicKey.of(in.bytes());
        long n = in.u32();
        List<PublicKey> writers = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            writers.add(PublicKey.of(in.bytes()));
        }
        return new Acl(owner, writers, in.bool());
    }

    /** The aguid and index are the key; they are not repeated in the value. */
    static byte[] encodeHistory(HistoryEntry h) {
        CanonicalEncoder e = new CanonicalEncoder(192).u8(HISTORY_FORMAT).u8(h.committed() ? COMMITTED : ABORTED)
                .hash(h.updateDigest()).bytes(h.writer().toBytes()).i64(h.nonce()).i64(h.seq());
        h.vguid().ifPresent(v -> e.hash(v.hash()));
        return e.i64(h.timestampMicros()).i64(h.clauseIndex()).string(h.abortReason()).toByteArray();
    }

    static HistoryEntry decodeHistory(Aguid aguid, long index, byte[] bytes) {
        RecordReader in = new RecordReader(bytes, "history");
        in.expectFormat(HISTORY_FORMAT);
        int outcome = in.u8();
        if (outcome != COMMITTED && outcome != ABORTED) {
            throw new IllegalStateException("corrupt history record: outcome code (" + outcome + ") must be 1 or 2");
        }
        boolean committed = outcome == COMMITTED;
        var digest = in.hash();
        PublicKey writer = PublicKey.of(in.bytes());
        long nonce = in.i64();
        long seq = in.i64();
        Optional<Vguid> vguid = committed ? Optional.of(new Vguid(in.hash())) : Optional.empty();
        long timestamp = in.i64();
        long clauseIndex = in.i64();
        String reason = in.string();
        in.end();
        return new HistoryEntry(aguid, index, committed, digest, writer, nonce, seq, vguid, timestamp,
                Math.toIntExact(clauseIndex), reason);
    }
}
