package ostore.ring.bft;

import java.util.ArrayList;
import java.util.List;
import ostore.crypto.CanonicalDecoder;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.Checkpoint;
import ostore.ring.bft.Message.Commit;
import ostore.ring.bft.Message.PrePrepare;
import ostore.ring.bft.Message.Prepare;
import ostore.ring.bft.Message.PreparedProof;
import ostore.ring.log.SharedLog;

/**
 * The records a replica writes to its log ({@link ReplicaLog}) and their encoding.
 *
 * <p>Record format 2 (format 1 was the single node's of earlier builds, which no replica reads), big-endian: {@code [u8 format = 2][u8 type][body]}:
 * PAYLOAD(1) bytes signed update; ACCEPTED(2) bytes pre-prepare frame; PREPARED(3) bytes
 * pre-prepare frame, u32 n, n x bytes prepare frame; COMMITTED(4) bytes pre-prepare frame;
 * EXECUTED(5) i64 seqno, 32 results root, 32 state digest; STABLE(6) i64 seqno, 32 state digest,
 * u32 n, n x bytes checkpoint frame; VIEW(7) i64 view, u8 changing; BATCH(8) i64 seqno, i64 timestamp,
 * u32 n, n x 32 digest, 32 results root, 32 state digest: a batch known committed with its agreed
 * results (kept below the stable checkpoint for lagging peers, or received by state transfer and
 * logged before it is applied); COMMIT-PROOF(9) bytes pre-prepare frame, u32 n, n x bytes commit
 * frame: COMMITTED with the 2f+1 COMMITs that showed it, so that after a restart the replica can
 * still prove the commit to a peer catching up. COMMITTED without commits is written only when
 * they are unknown (a log written before COMMIT-PROOF existed); both are read. NEW-VIEW(10) bytes
 * NEW-VIEW frame, in the control color: the NEW-VIEW that starts a view, appended together with
 * that view's VIEW(v, 0) record and before the NEW-VIEW is sent (primary) or acted on (backup), so
 * that after a restart the replica still knows which pre-prepares the view began with: a primary
 * never signs a second batch at a re-proposed seqno, and a backup still refuses plain ones there.
 * ADOPTED(11), as STABLE: a checkpoint the ring made stable while this replica had not executed that
 * far (it is behind, and catches up by state transfer or a snapshot). It moves the replica's window
 * (what it may accept and prepare) but not its execution point, so after a restart the slots it
 * logged above that checkpoint still lie inside its window.
 */
final class LogRecords {
    static final int FORMAT = 2;
    static final int PAYLOAD = 1;
    static final int ACCEPTED = 2;
    static final int PREPARED = 3;
    static final int COMMITTED = 4;
    static final int EXECUTED = 5;
    static final int STABLE = 6;
    static final int VIEW = 7;
    static final int BATCH = 8;
    static final int COMMIT_PROOF = 9;
    static final int NEW_VIEW = 10;
    static final int ADOPTED = 11;

    sealed interface Record {}

    record Payload(byte[] signedUpdate) implements Record {}

    record Accepted(Signed<PrePrepare> prePrepare) implements Record {}

    record Prepared(PreparedProof proof) implements Record {}

    /** {@code commits} is empty when the log did not keep them. */
    record Committed(Signed<PrePrepare> prePrepare, List<Signed<Commit>> commits) implements Record {}

    record Executed(long seqno, Hash32 resultsRoot, Hash32 stateDigest) implements Record {}

    record Stable(long seqno, Hash32 stateDigest, List<Signed<Checkpoint>> proof) implements Record {}

    /** A stable checkpoint above what the replica had executed: see ADOPTED in the class comment. */
    record Adopted(long seqno, Hash32 stateDigest, List<Signed<Checkpoint>> proof) implements Record {}

    record View(long view, boolean changing) implements Record {}

    record Batch(PrePrepare batch, Hash32 resultsRoot, Hash32 stateDigest) implements Record {}

    /** The NEW-VIEW that started its view. */
    record Started(Signed<Message.NewView> newView) implements Record {}

    /** What a PAYLOAD record adds to its signed update: format, type, length. */
    static final int PAYLOAD_OVERHEAD_BYTES = 6;

    /** The largest signed update a PAYLOAD record of {@code log} holds. */
    static int largestPayload(SharedLog log) {
        return log.maxRecordBytes() - PAYLOAD_OVERHEAD_BYTES;
    }

    static byte[] payload(byte[] signedUpdate) {
        return header(PAYLOAD).bytes(signedUpdate).toByteArray();
    }

    static byte[] accepted(Signed<PrePrepare> pp) {
        return header(ACCEPTED).bytes(pp.frameUnsafe()).toByteArray();
    }

    static byte[] prepared(PreparedProof proof) {
        CanonicalEncoder e = header(PREPARED).bytes(proof.prePrepare().frameUnsafe()).u32(proof.prepares().size());
        proof.prepares().forEach(p -> e.bytes(p.frameUnsafe()));
        return e.toByteArray();
    }

    /** COMMIT-PROOF, or COMMITTED when {@code commits} is empty (not known). */
    static byte[] committed(Signed<PrePrepare> pp, List<Signed<Commit>> commits) {
        if (commits.isEmpty()) {
            return header(COMMITTED).bytes(pp.frameUnsafe()).toByteArray();
        }
        CanonicalEncoder e = header(COMMIT_PROOF).bytes(pp.frameUnsafe()).u32(commits.size());
        commits.forEach(c -> e.bytes(c.frameUnsafe()));
        return e.toByteArray();
    }

    static byte[] executed(long seqno, Hash32 resultsRoot, Hash32 stateDigest) {
        return header(EXECUTED).i64(seqno).hash(resultsRoot).hash(stateDigest).toByteArray();
    }

    static byte[] stable(long seqno, Hash32 stateDigest, List<Signed<Checkpoint>> proof) {
        return checkpoint(STABLE, seqno, stateDigest, proof);
    }

    static byte[] adopted(long seqno, Hash32 stateDigest, List<Signed<Checkpoint>> proof) {
        return checkpoint(ADOPTED, seqno, stateDigest, proof);
    }

    private static byte[] checkpoint(int type, long seqno, Hash32 stateDigest, List<Signed<Checkpoint>> proof) {
        CanonicalEncoder e = header(type).i64(seqno).hash(stateDigest).u32(proof.size());
        proof.forEach(c -> e.bytes(c.frameUnsafe()));
        return e.toByteArray();
    }

    static byte[] view(long view, boolean changing) {
        return header(VIEW).i64(view).bool(changing).toByteArray();
    }

    static byte[] newView(Signed<Message.NewView> nv) {
        return header(NEW_VIEW).bytes(nv.frameUnsafe()).toByteArray();
    }

    static byte[] batch(PrePrepare batch, Hash32 resultsRoot, Hash32 stateDigest) {
        CanonicalEncoder e = header(BATCH).i64(batch.seqno()).i64(batch.timestampMicros()).u32(batch.digests().size());
        batch.digests().forEach(e::hash);
        return e.hash(resultsRoot).hash(stateDigest).toByteArray();
    }

    private static CanonicalEncoder header(int type) {
        return new CanonicalEncoder(64).u8(FORMAT).u8(type);
    }

    /** @throws IllegalArgumentException if the bytes are not a format 2 record with valid frames */
    static Record decode(RingConfig config, int color, byte[] bytes) {
        CanonicalDecoder d = new CanonicalDecoder(bytes);
        int format = d.u8("replica log format");
        if (format != FORMAT) {
            throw new IllegalArgumentException("replica log format (" + format + ") must be " + FORMAT);
        }
        int type = d.u8("replica log type");
        Record r = switch (type) {
            case PAYLOAD -> new Payload(d.bytes("payload"));
            case ACCEPTED -> new Accepted(frame(config, d, PrePrepare.class));
            case PREPARED -> new Prepared(new PreparedProof(frame(config, d, PrePrepare.class), frames(config, d, Prepare.class)));
            case COMMITTED -> new Committed(frame(config, d, PrePrepare.class), List.of());
            case COMMIT_PROOF -> new Committed(frame(config, d, PrePrepare.class), frames(config, d, Commit.class));
            case EXECUTED -> new Executed(d.u63("seqno"), d.hash("results root"), d.hash("state digest"));
            case STABLE -> new Stable(d.u63("seqno"), d.hash("state digest"), frames(config, d, Checkpoint.class));
            case ADOPTED -> new Adopted(d.u63("seqno"), d.hash("state digest"), frames(config, d, Checkpoint.class));
            case VIEW -> new View(d.u63("view"), d.u8("changing") != 0);
            case BATCH -> batch(color, d);
            case NEW_VIEW -> new Started(frame(config, d, Message.NewView.class));
            default -> throw new IllegalArgumentException("unknown replica log record type " + type);
        };
        d.end("replica log record type " + type);
        return r;
    }

    private static Batch batch(int color, CanonicalDecoder d) {
        long seqno = d.u63("seqno");
        long timestamp = d.i64("timestamp");
        int n = d.count("digests", Hash32.LENGTH);
        List<Hash32> digests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            digests.add(d.hash("digest"));
        }
        return new Batch(new PrePrepare(0, color, seqno, timestamp, digests), d.hash("results root"),
                d.hash("state digest"));
    }

    private static <M extends Message> List<Signed<M>> frames(RingConfig config, CanonicalDecoder d, Class<M> kind) {
        int n = d.count("frames", 4);
        List<Signed<M>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(frame(config, d, kind));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <M extends Message> Signed<M> frame(RingConfig config, CanonicalDecoder d, Class<M> kind) {
        Signed<?> s = Frames.decodeAndVerify(d.bytes("frame"), config);
        if (!kind.isInstance(s.message())) {
            throw new IllegalArgumentException("logged frame is a " + s.message().getClass().getSimpleName()
                    + ", not a " + kind.getSimpleName());
        }
        return (Signed<M>) s;
    }

    private LogRecords() {}
}
