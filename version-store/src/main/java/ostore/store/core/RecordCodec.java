package ostore.store.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongFunction;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash.Entry;
import ostore.crypto.CanonicalDecoder;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Hash32;
import ostore.crypto.PublicKey;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;
import ostore.store.HistoryEntry;
import ostore.store.Outcome;
import ostore.store.Outcome.Rejection;
import ostore.store.StoredVersion;

/**
 * The on-disk encodings of versions, history entries and nonce records. Each record starts with
 * its own format byte and uses explicit codes, never enum ordinals; golden tests pin the bytes. The
 * VGUID is not stored: it is recomputed from the root on read, so a stored root and its name cannot
 * disagree. Decoding uses {@link CanonicalDecoder}, the one reader of {@link CanonicalEncoder}'s
 * layout; whatever it refuses is reported as a corrupt record. They live in {@code core}, not with
 * RocksDB, because the snapshot journal ({@link JournalEntry}) hashes and transfers these exact
 * bytes, so every store must produce them identically.
 */
public final class RecordCodec {
    public static final int VERSION_FORMAT = 1;
    public static final int HISTORY_FORMAT = 1;
    /** Outcome codes, equal to {@code ostore.v1.Outcome}. */
    public static final int COMMITTED = 1;
    public static final int ABORTED = 2;
    public static final int NONCE_FORMAT = 1;
    /** Nonce record kinds: the nonce's update is in history, or was refused at execution. */
    public static final int NONCE_EXECUTED = 1;
    public static final int NONCE_REFUSED = 2;
    /** Bytes of a version's block entry: a BGUID and a u32 length. */
    private static final int BLOCK_ENTRY_BYTES = Hash32.LENGTH + 4;

    private RecordCodec() {}

    public static byte[] encodeVersion(StoredVersion v) {
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

    public static StoredVersion decodeVersion(byte[] bytes) {
        return decode(bytes, "version", in -> {
            expectFormat(in, VERSION_FORMAT);
            Aguid aguid = new Aguid(in.hash("aguid"));
            long seq = in.i64("seq");
            Optional<Vguid> predecessor = in.bool("has predecessor") ? Optional.of(new Vguid(in.hash("predecessor")))
                    : Optional.empty();
            long size = in.i64("size");
            long blockCount = in.i64("block count");
            var blocksRoot = in.hash("blocks root");
            long timestamp = in.i64("timestamp");
            Acl acl = decodeAcl(in);
            VersionRoot root = new VersionRoot(aguid, seq, predecessor, size, blockCount, blocksRoot, timestamp, acl,
                    in.hash("update digest"));
            if (blockCount < 0 || blockCount > in.remaining() / BLOCK_ENTRY_BYTES) {
                throw new IllegalArgumentException("block count (" + blockCount + ") does not fit in the "
                        + in.remaining() + " bytes left");
            }
            List<Entry> blocks = new ArrayList<>((int) blockCount);
            for (long i = 0; i < blockCount; i++) {
                blocks.add(new Entry(new Bguid(in.hash("block bguid")), in.u32AtMost("block length", Integer.MAX_VALUE)));
            }
            in.end("record");
            return new StoredVersion(root, root.vguid(), blocks);
        });
    }

    private static Acl decodeAcl(CanonicalDecoder in) {
        PublicKey owner = PublicKey.of(in.bytes("acl owner"));
        int n = in.count("acl writer count", 4 + PublicKey.LENGTH);
        List<PublicKey> writers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            writers.add(PublicKey.of(in.bytes("acl writer")));
        }
        return new Acl(owner, writers, in.bool("acl encrypted"));
    }

    /** The aguid and index are the key; they are not repeated in the value. */
    public static byte[] encodeHistory(HistoryEntry h) {
        CanonicalEncoder e = new CanonicalEncoder(192).u8(HISTORY_FORMAT).u8(h.committed() ? COMMITTED : ABORTED)
                .hash(h.updateDigest()).bytes(h.writer().toBytes()).i64(h.nonce()).i64(h.seq());
        h.vguid().ifPresent(v -> e.hash(v.hash()));
        return e.i64(h.timestampMicros()).i64(h.clauseIndex()).string(h.abortReason()).toByteArray();
    }

    public static HistoryEntry decodeHistory(Aguid aguid, long index, byte[] bytes) {
        return decode(bytes, "history", in -> {
            expectFormat(in, HISTORY_FORMAT);
            int outcome = in.u8("outcome");
            if (outcome != COMMITTED && outcome != ABORTED) {
                throw new IllegalArgumentException("outcome code (" + outcome + ") must be 1 or 2");
            }
            boolean committed = outcome == COMMITTED;
            var digest = in.hash("update digest");
            PublicKey writer = PublicKey.of(in.bytes("writer"));
            long nonce = in.i64("nonce");
            long seq = in.i64("seq");
            Optional<Vguid> vguid = committed ? Optional.of(new Vguid(in.hash("vguid"))) : Optional.empty();
            long timestamp = in.i64("timestamp");
            long clauseIndex = in.i64("clause index");
            String reason = in.string("abort reason");
            in.end("record");
            return new HistoryEntry(aguid, index, committed, digest, writer, nonce, seq, vguid, timestamp,
                    Math.toIntExact(clauseIndex), reason);
        });
    }

    /** A nonce whose update is history entry {@code index} of the object. */
    public static byte[] encodeNonceExecuted(long index) {
        return new CanonicalEncoder(10).u8(NONCE_FORMAT).u8(NONCE_EXECUTED).i64(index).toByteArray();
    }

    /** A nonce burned by a refusal; the aguid, writer and nonce are the key and not repeated. */
    public static byte[] encodeNonceRefused(NonceRecord.Refused r) {
        return new CanonicalEncoder(64).u8(NONCE_FORMAT).u8(NONCE_REFUSED).hash(r.updateDigest())
                .u8(r.rejected().reason().code()).string(r.rejected().message()).toByteArray();
    }

    /** @param historyAt the object's history entry at an index, which an executed nonce names */
    public static NonceRecord decodeNonce(Aguid aguid, PublicKey writer, long nonce, byte[] bytes,
            LongFunction<HistoryEntry> historyAt) {
        record Value(int kind, long index, Hash32 digest, Outcome.Rejected rejected) {}
        Value v = decode(bytes, "nonce", in -> {
            expectFormat(in, NONCE_FORMAT);
            int kind = in.u8("kind");
            Value value = switch (kind) {
                case NONCE_EXECUTED -> new Value(kind, in.u63("history index"), null, null);
                case NONCE_REFUSED -> new Value(kind, -1, in.hash("update digest"), new Outcome.Rejected(
                        Rejection.ofCode(in.u8("rejection")), in.string("message")));
                default -> throw new IllegalArgumentException("kind (" + kind + ") must be 1 or 2");
            };
            in.end("record");
            return value;
        });
        return v.kind() == NONCE_EXECUTED ? new NonceRecord.Executed(historyAt.apply(v.index()))
                : new NonceRecord.Refused(aguid, writer, nonce, v.digest(), v.rejected());
    }

    private static void expectFormat(CanonicalDecoder in, int format) {
        int found = in.u8("format");
        if (found != format) {
            throw new IllegalArgumentException("format version (" + found + ") is not the supported " + format);
        }
    }

    /** Runs {@code body} over {@code bytes}, reporting anything it refuses as a corrupt record. */
    private static <T> T decode(byte[] bytes, String what, Function<CanonicalDecoder, T> body) {
        try {
            return body.apply(new CanonicalDecoder(bytes));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("corrupt " + what + " record: " + e.getMessage(), e);
        }
    }
}
