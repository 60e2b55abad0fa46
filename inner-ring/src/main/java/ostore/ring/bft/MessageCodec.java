package ostore.ring.bft;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import ostore.crypto.CanonicalDecoder;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Hash32;
import ostore.crypto.ResultStatement;
import ostore.ring.bft.Message.BatchResult;
import ostore.ring.bft.Message.ChainLink;
import ostore.ring.bft.Message.Checkpoint;
import ostore.ring.bft.Message.ColorState;
import ostore.ring.bft.Message.ChainedBatch;
import ostore.ring.bft.Message.Commit;
import ostore.ring.bft.Message.CommitProof;
import ostore.ring.bft.Message.FetchState;
import ostore.ring.bft.Message.FetchPayloads;
import ostore.ring.bft.Message.FetchSnapshot;
import ostore.ring.bft.Message.Snapshot;
import ostore.ring.bft.Message.NewView;
import ostore.ring.bft.Message.Payloads;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.Prepare;
import ostore.ring.bft.Message.PreparedProof;
import ostore.ring.bft.Message.State;
import ostore.ring.bft.Message.ViewChange;
import ostore.store.SnapshotPage;

/**
 * Message bodies, big-endian, with {@link CanonicalEncoder}'s conventions (u32 counts, u32-length
 * byte strings). Nested proofs are whole signed frames, so a VIEW-CHANGE or NEW-VIEW can be
 * checked by anyone without trusting its sender. The layouts are in {@code docs/protocol.md}.
 */
final class MessageCodec {
    private MessageCodec() {}

    static void encodeBody(Message m, CanonicalEncoder e) {
        switch (m) {
            case PrePrepare p -> {
                e.i64(p.view()).u32(p.color()).i64(p.seqno()).i64(p.timestampMicros()).u32(p.digests().size());
                p.digests().forEach(e::hash);
            }
            case Prepare p -> e.i64(p.view()).u32(p.color()).i64(p.seqno()).hash(p.batchDigest());
            case Commit c -> e.i64(c.view()).u32(c.color()).i64(c.seqno()).hash(c.batchDigest());
            case BatchResult r -> r.statement().encodeBody(e);
            case Checkpoint c -> e.u32(c.color()).i64(c.seqno()).hash(c.stateDigest()).hash(c.storeDigest());
            case ViewChange v -> {
                e.i64(v.newView()).u32(v.colors().size());
                v.colors().forEach(c -> encodeColorState(c, e));
            }
            case NewView v -> {
                e.i64(v.view());
                frames(v.viewChanges(), e);
                frames(v.prePrepares(), e);
            }
            case FetchPayloads f -> {
                e.u32(f.digests().size());
                f.digests().forEach(e::hash);
            }
            case Payloads p -> {
                e.u32(p.signedUpdates().size());
                p.signedUpdates().forEach(e::bytes);
            }
            case FetchState f -> e.u32(f.color()).i64(f.fromSeqno());
            case State s -> encodeState(s, e);
            case FetchSnapshot f -> e.u32(f.color()).i64(f.afterPosition());
            case Message.Request q -> {
                e.u32(q.digests().size());
                q.digests().forEach(e::hash);
            }
            case Message.Suspect s -> e.i64(s.view());
            case Message.FetchCertificates f -> {
                e.u32(f.versions().size());
                f.versions().forEach(v -> e.hash(v.aguid().hash()).i64(v.seq()));
            }
            case Message.Certificates c -> {
                e.u32(c.certificates().size());
                c.certificates().forEach(a -> e.hash(a.aguid().hash()).i64(a.seq()).bytes(a.certificate()));
            }
            case Snapshot s -> {
                e.u32(s.color()).i64(s.stableSeqno()).hash(s.stateDigest());
                frames(s.checkpointProof(), e);
                e.i64(s.afterPosition()).u32(s.entries().size());
                s.entries().forEach(e::bytes);
                e.u32(s.blocks().size());
                s.blocks().forEach(e::bytes);
                e.u32(s.certificates().size());
                s.certificates().forEach(c -> e.hash(c.aguid().hash()).i64(c.seq()).bytes(c.certificate()));
                e.i64(s.lastPosition()).bool(s.complete());
            }
        }
    }

    private static void encodeState(State s, CanonicalEncoder e) {
        e.u32(s.color()).i64(s.stableSeqno()).hash(s.stateDigest());
        frames(s.checkpointProof(), e);
        e.i64(s.firstRetained()).u32(s.chained().size());
        for (ChainedBatch b : s.chained()) {
            e.i64(b.seqno()).i64(b.timestampMicros()).u32(b.digests().size());
            b.digests().forEach(e::hash);
            e.hash(b.resultsRoot());
        }
        e.u32(s.links().size());
        s.links().forEach(l -> e.hash(l.batchDigest()).hash(l.resultsRoot()));
        e.u32(s.committed().size());
        for (CommitProof c : s.committed()) {
            e.bytes(c.prePrepare().frameUnsafe());
            frames(c.commits(), e);
        }
        e.u32(s.payloads().size());
        s.payloads().forEach(e::bytes);
    }

    private static void encodeColorState(ColorState c, CanonicalEncoder e) {
        e.u32(c.color()).i64(c.stableSeqno()).hash(c.stateDigest());
        frames(c.checkpointProof(), e);
        e.u32(c.prepared().size());
        for (PreparedProof p : c.prepared()) {
            e.bytes(p.prePrepare().frameUnsafe());
            frames(p.prepares(), e);
        }
    }

    private static void frames(List<? extends Signed<?>> signed, CanonicalEncoder e) {
        e.u32(signed.size());
        signed.forEach(s -> e.bytes(s.frameUnsafe()));
    }

    /**
     * Decodes the body of a message of {@code type}; {@code nested} decodes and verifies an
     * embedded frame.
     *
     * @throws IllegalArgumentException if the body is malformed
     */
    static Message decodeBody(int type, CanonicalDecoder d, Function<byte[], Signed<?>> nested) {
        Message m = switch (type) {
            case Message.PRE_PREPARE -> new PrePrepare(d.u63("view"), color(d), d.u63("seqno"), d.i64("timestamp"),
                    digests(d));
            case Message.PREPARE -> new Prepare(d.u63("view"), color(d), d.u63("seqno"), d.hash("batch digest"));
            case Message.COMMIT -> new Commit(d.u63("view"), color(d), d.u63("seqno"), d.hash("batch digest"));
            case Message.BATCH_RESULT -> new BatchResult(ResultStatement.decodeBody(d));
            case Message.CHECKPOINT -> new Checkpoint(color(d), d.u63("seqno"), d.hash("state digest"),
                    d.hash("store digest"));
            case Message.VIEW_CHANGE -> viewChange(d, nested);
            case Message.NEW_VIEW -> new NewView(d.u63("view"), frames(d, nested, ViewChange.class),
                    frames(d, nested, PrePrepare.class));
            case Message.FETCH_PAYLOADS -> new FetchPayloads(digests(d));
            case Message.PAYLOADS -> payloads(d);
            case Message.FETCH_STATE -> new FetchState(color(d), d.u63("from seqno"));
            case Message.STATE -> state(d, nested);
            case Message.FETCH_SNAPSHOT -> new FetchSnapshot(color(d), d.i64("after position"));
            case Message.SNAPSHOT -> snapshot(d, nested);
            case Message.FETCH_CERTIFICATES -> fetchCertificates(d);
            case Message.CERTIFICATES -> new Message.Certificates(attached(d));
            case Message.REQUEST -> new Message.Request(digests(d));
            case Message.SUSPECT -> new Message.Suspect(d.u63("view"));
            default -> throw new IllegalArgumentException("unknown message type " + type);
        };
        d.end("message type " + type);
        return m;
    }

    private static ViewChange viewChange(CanonicalDecoder d, Function<byte[], Signed<?>> nested) {
        long newView = d.u63("new view");
        int n = d.count("view change colors", 48);
        List<ColorState> colors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int color = color(d);
            long stable = d.u63("stable seqno");
            Hash32 state = d.hash("state digest");
            List<Signed<Checkpoint>> proof = frames(d, nested, Checkpoint.class);
            int p = d.count("prepared batches", 8);
            List<PreparedProof> prepared = new ArrayList<>(p);
            for (int j = 0; j < p; j++) {
                Signed<PrePrepare> pp = one(d.bytes("pre-prepare frame"), nested, PrePrepare.class);
                prepared.add(new PreparedProof(pp, frames(d, nested, Prepare.class)));
            }
            colors.add(new ColorState(color, stable, state, proof, prepared));
        }
        return new ViewChange(newView, colors);
    }

    private static <M extends Message> List<Signed<M>> frames(CanonicalDecoder d, Function<byte[], Signed<?>> nested,
            Class<M> kind) {
        int n = d.count("nested frames", 4);
        List<Signed<M>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(one(d.bytes("nested frame"), nested, kind));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <M extends Message> Signed<M> one(byte[] frame, Function<byte[], Signed<?>> nested, Class<M> kind) {
        Signed<?> s = nested.apply(frame);
        if (!kind.isInstance(s.message())) {
            throw new IllegalArgumentException("nested frame is a " + s.message().getClass().getSimpleName()
                    + " where a " + kind.getSimpleName() + " belongs");
        }
        return (Signed<M>) s;
    }

    private static List<Hash32> digests(CanonicalDecoder d) {
        int n = d.count("digests", Hash32.LENGTH);
        List<Hash32> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(d.hash("digest"));
        }
        return out;
    }

    private static State state(CanonicalDecoder d, Function<byte[], Signed<?>> nested) {
        int color = color(d);
        long stable = d.u63("stable seqno");
        Hash32 digest = d.hash("state digest");
        List<Signed<Checkpoint>> proof = frames(d, nested, Checkpoint.class);
        long firstRetained = d.u63("first retained");
        int n = d.count("chained batches", 8 + 8 + 4 + 32);
        List<ChainedBatch> chained = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chained.add(new ChainedBatch(d.u63("seqno"), d.i64("timestamp"), digests(d), d.hash("results root")));
        }
        int l = d.count("chain links", 2 * Hash32.LENGTH);
        List<ChainLink> links = new ArrayList<>(l);
        for (int i = 0; i < l; i++) {
            links.add(new ChainLink(d.hash("batch digest"), d.hash("results root")));
        }
        int c = d.count("committed batches", 8);
        List<CommitProof> committed = new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            Signed<PrePrepare> pp = one(d.bytes("pre-prepare frame"), nested, PrePrepare.class);
            committed.add(new CommitProof(pp, frames(d, nested, Commit.class)));
        }
        return new State(color, stable, digest, proof, firstRetained, chained, links, committed,
                payloads(d).signedUpdates());
    }

    private static Snapshot snapshot(CanonicalDecoder d, Function<byte[], Signed<?>> nested) {
        int color = color(d);
        long stable = d.u63("stable seqno");
        Hash32 digest = d.hash("state digest");
        List<Signed<Checkpoint>> proof = frames(d, nested, Checkpoint.class);
        long after = d.i64("after position");
        List<byte[]> entries = payloads(d).signedUpdates();
        List<byte[]> blocks = payloads(d).signedUpdates();
        return new Snapshot(color, stable, digest, proof, after, entries, blocks, attached(d),
                d.i64("last position"), d.bool("complete"));
    }

    /** A list of (aguid, seq, certificate): SNAPSHOT's certificates and CERTIFICATES. */
    private static List<SnapshotPage.Attached> attached(CanonicalDecoder d) {
        int n = d.count("certificates", Hash32.LENGTH + 8 + 4);
        List<SnapshotPage.Attached> certificates = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            certificates.add(new SnapshotPage.Attached(new ostore.crypto.Aguid(d.hash("aguid")), d.i64("seq"),
                    d.bytes("certificate")));
        }
        return certificates;
    }

    private static Message.FetchCertificates fetchCertificates(CanonicalDecoder d) {
        int n = d.count("versions", Hash32.LENGTH + 8);
        List<Message.VersionRef> versions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            versions.add(new Message.VersionRef(new ostore.crypto.Aguid(d.hash("aguid")), d.u63("seq")));
        }
        return new Message.FetchCertificates(versions);
    }

    private static Payloads payloads(CanonicalDecoder d) {
        int n = d.count("payloads", 4);
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(d.bytes("payload"));
        }
        return new Payloads(out);
    }

    private static int color(CanonicalDecoder d) {
        return d.u32AtMost("color", Integer.MAX_VALUE);
    }
}
