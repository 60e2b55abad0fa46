package ostore.ring.bft;

import java.util.List;
import java.util.Objects;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.crypto.ResultStatement;
import ostore.store.SnapshotPage;

/**
 * The replica-to-replica messages. Each has a stable wire type code ({@link #type()}); their body
 * encodings are in {@link MessageCodec}, the signed frame around them in {@link Frames}. Sequence
 * numbers start at 1 per color; 0 names the empty state before the first batch.
 */
public sealed interface Message {
    int PRE_PREPARE = 1;
    int PREPARE = 2;
    int COMMIT = 3;
    int BATCH_RESULT = ResultStatement.FRAME_TYPE;
    int CHECKPOINT = 5;
    int VIEW_CHANGE = 6;
    int NEW_VIEW = 7;
    int FETCH_PAYLOADS = 8;
    int PAYLOADS = 9;
    int FETCH_STATE = 10;
    int STATE = 11;
    int FETCH_SNAPSHOT = 12;
    int SNAPSHOT = 13;
    int FETCH_CERTIFICATES = 14;
    int CERTIFICATES = 15;
    int REQUEST = 16;
    int SUSPECT = 17;
    /** The highest type code in use; frames with a higher one are refused before their body is read. */
    int MAX_TYPE = SUSPECT;
    /** Digests one REQUEST names at most. */
    int MAX_RELAYED = 1024;
    /** Versions one FETCH-CERTIFICATES may name, and so certificates one CERTIFICATES may carry. */
    int MAX_CERTIFICATES = 256;

    int type();

    /** The primary of {@code view} orders {@code digests} as batch {@code seqno} of {@code color}. */
    record PrePrepare(long view, int color, long seqno, long timestampMicros, List<Hash32> digests)
            implements Message {
        public PrePrepare {
            digests = List.copyOf(digests);
            checkSlot(view, color, seqno);
        }

        @Override
        public int type() {
            return PRE_PREPARE;
        }

        /**
         * What PREPARE and COMMIT vote for. It leaves out the view, so a batch re-proposed in a later
         * view keeps its digest; it binds the seqno, so a batch cannot move to another slot.
         */
        public Hash32 batchDigest() {
            CanonicalEncoder e = new CanonicalEncoder(28 + 32 * digests.size()).u32(color).i64(seqno)
                    .i64(timestampMicros).u32(digests.size());
            digests.forEach(e::hash);
            return Hashing.hash(Domain.RING_BATCH, e.toByteArray());
        }

        /** A batch with no updates: NEW-VIEW fills sequence gaps with these. */
        public boolean isNoOp() {
            return digests.isEmpty();
        }
    }

    record Prepare(long view, int color, long seqno, Hash32 batchDigest) implements Message {
        public Prepare {
            Objects.requireNonNull(batchDigest, "batchDigest");
            checkSlot(view, color, seqno);
        }

        @Override
        public int type() {
            return PREPARE;
        }
    }

    record Commit(long view, int color, long seqno, Hash32 batchDigest) implements Message {
        public Commit {
            Objects.requireNonNull(batchDigest, "batchDigest");
            checkSlot(view, color, seqno);
        }

        @Override
        public int type() {
            return COMMIT;
        }
    }

    /** A replica's signed result of executing a batch; its frame is what certificates hold. */
    record BatchResult(ResultStatement statement) implements Message {
        public BatchResult {
            Objects.requireNonNull(statement, "statement");
        }

        @Override
        public int type() {
            return BATCH_RESULT;
        }
    }

    /**
     * After executing batch {@code seqno} of {@code color}, the color's state chain is
     * {@code stateDigest} and its version store digest {@code storeDigest}. Votes match on both
     * ({@link #digest()}): 2f+1 of them certify the store's content as well as the batch order, so
     * a replica that lost its store can install a peer's snapshot and check it.
     */
    record Checkpoint(int color, long seqno, Hash32 stateDigest, Hash32 storeDigest) implements Message {
        public Checkpoint {
            Objects.requireNonNull(stateDigest, "stateDigest");
            Objects.requireNonNull(storeDigest, "storeDigest");
            checkSlot(0, color, seqno);
        }

        @Override
        public int type() {
            return CHECKPOINT;
        }

        /** The checkpoint digest: H(color, seqno, state chain, store digest). */
        public Hash32 digest() {
            return digest(color, seqno, stateDigest, storeDigest);
        }

        static Hash32 digest(int color, long seqno, Hash32 stateDigest, Hash32 storeDigest) {
            byte[] m = new CanonicalEncoder(76).u32(color).i64(seqno).hash(stateDigest).hash(storeDigest).toByteArray();
            return Hashing.hash(Domain.RING_CHECKPOINT, m);
        }

        /** The store digest a checkpoint proof certifies (all zeros before the first checkpoint). */
        static Hash32 storeDigestOf(List<Signed<Checkpoint>> proof) {
            return proof.isEmpty() ? Lane.ZERO : proof.getFirst().message().storeDigest();
        }
    }

    /** A pre-prepare with 2f PREPAREs from distinct backups that match it. */
    record PreparedProof(Signed<PrePrepare> prePrepare, List<Signed<Prepare>> prepares) {
        public PreparedProof {
            Objects.requireNonNull(prePrepare, "prePrepare");
            prepares = List.copyOf(prepares);
        }
    }

    /**
     * One color's part of a VIEW-CHANGE: the last stable checkpoint (seqno 0 and no proof before
     * the first) and every batch prepared above it.
     */
    record ColorState(int color, long stableSeqno, Hash32 stateDigest, List<Signed<Checkpoint>> checkpointProof,
            List<PreparedProof> prepared) {
        public ColorState {
            Objects.requireNonNull(stateDigest, "stateDigest");
            checkpointProof = List.copyOf(checkpointProof);
            prepared = List.copyOf(prepared);
            if (color < 0 || stableSeqno < 0) {
                throw new IllegalArgumentException("color (" + color + ") and stableSeqno (" + stableSeqno
                        + ") must be >= 0");
            }
        }
    }

    /** The sender moves to {@code newView}; {@code colors} holds every color, in order. */
    record ViewChange(long newView, List<ColorState> colors) implements Message {
        public ViewChange {
            colors = List.copyOf(colors);
            if (newView < 1) {
                throw new IllegalArgumentException("newView (" + newView + ") must be >= 1");
            }
        }

        @Override
        public int type() {
            return VIEW_CHANGE;
        }
    }

    /** The new primary's proof of {@code view}: 2f+1 view changes and the batches they imply. */
    record NewView(long view, List<Signed<ViewChange>> viewChanges, List<Signed<PrePrepare>> prePrepares)
            implements Message {
        public NewView {
            viewChanges = List.copyOf(viewChanges);
            prePrepares = List.copyOf(prePrepares);
            if (view < 1) {
                throw new IllegalArgumentException("view (" + view + ") must be >= 1");
            }
        }

        @Override
        public int type() {
            return NEW_VIEW;
        }
    }

    /** Asks the receiver for the signed updates with these digests. */
    record FetchPayloads(List<Hash32> digests) implements Message {
        public FetchPayloads {
            digests = List.copyOf(digests);
        }

        @Override
        public int type() {
            return FETCH_PAYLOADS;
        }
    }

    /** Signed updates exactly as clients sent them; the receiver checks each one's digest and signature. */
    record Payloads(List<byte[]> signedUpdates) implements Message {
        public Payloads {
            signedUpdates = List.copyOf(signedUpdates);
        }

        @Override
        public int type() {
            return PAYLOADS;
        }
    }

    /**
     * Digests of client updates the sender holds and has waited on for half the request timeout,
     * relayed to every peer (PBFT's relay to the primary, by digest: the client sent most of them
     * everywhere already). A receiver that lacks one fetches it from the sender (FETCH-PAYLOADS)
     * and takes it as a client update, so a client that sent an update to some replicas only cannot
     * make them suspect a primary that never received it.
     */
    record Request(List<Hash32> digests) implements Message {
        public Request {
            digests = List.copyOf(digests);
            if (digests.isEmpty() || digests.size() > MAX_RELAYED) {
                throw new IllegalArgumentException("a REQUEST names 1.." + MAX_RELAYED + " digests, not "
                        + digests.size());
            }
        }

        @Override
        public int type() {
            return REQUEST;
        }
    }

    /**
     * The sender suspects the primary of {@code view}: a request it relayed to every replica has
     * not executed a full request timeout after arriving. A suspicion moves nobody by itself: a
     * replica leaves its view only once 2f+1 replicas suspect it (or f+1 ask for a later view).
     */
    record Suspect(long view) implements Message {
        public Suspect {
            if (view < 0) {
                throw new IllegalArgumentException("view (" + view + ") must be >= 0");
            }
        }

        @Override
        public int type() {
            return SUSPECT;
        }
    }

    /** Asks the receiver for what it knows of {@code color} from batch {@code fromSeqno} on. */
    record FetchState(int color, long fromSeqno) implements Message {
        public FetchState {
            checkSlot(0, color, fromSeqno);
        }

        @Override
        public int type() {
            return FETCH_STATE;
        }
    }

    /**
     * One batch below (or at) a stable checkpoint, as the receiver re-executes it: its content and
     * the results root the ring agreed on. Its place in the state chain is what vouches for it.
     */
    record ChainedBatch(long seqno, long timestampMicros, List<Hash32> digests, Hash32 resultsRoot) {
        public ChainedBatch {
            digests = List.copyOf(digests);
            Objects.requireNonNull(resultsRoot, "resultsRoot");
            checkSlot(0, 0, seqno);
        }

        /** The batch as its pre-prepares carried it (the view is not part of what was agreed). */
        PrePrepare batch(int color) {
            return new PrePrepare(0, color, seqno, timestampMicros, digests);
        }
    }

    /**
     * One step of the state chain past the batches a STATE page carries in full: enough to carry
     * the chain on to the checkpoint (and so check the page) without the batch's content.
     */
    record ChainLink(Hash32 batchDigest, Hash32 resultsRoot) {
        public ChainLink {
            Objects.requireNonNull(batchDigest, "batchDigest");
            Objects.requireNonNull(resultsRoot, "resultsRoot");
        }
    }

    /** A batch committed above the stable checkpoint: its pre-prepare and 2f+1 matching COMMITs. */
    record CommitProof(Signed<PrePrepare> prePrepare, List<Signed<Commit>> commits) {
        public CommitProof {
            Objects.requireNonNull(prePrepare, "prePrepare");
            commits = List.copyOf(commits);
        }
    }

    /**
     * One page of the answer to FETCH-STATE: the sender's stable checkpoint of {@code color} with
     * its proof; the batches from the asked seqno on, in full ({@code chained}) as far as the page
     * has room, then as bare {@code links} up to the checkpoint, so that the full ones can be
     * checked against the checkpoint's state digest; if the chain reached the checkpoint in full,
     * batches committed above it with their commit proofs; and as many of the payloads these order
     * as fit (the receiver asks for the rest with FETCH-PAYLOADS, and for the next page with
     * FETCH-STATE). {@code firstRetained} is the lowest seqno the sender can still send; a replica
     * whose next batch lies below it at every peer needs the version store's state, not the log's.
     */
    record State(int color, long stableSeqno, Hash32 stateDigest, List<Signed<Checkpoint>> checkpointProof,
            long firstRetained, List<ChainedBatch> chained, List<ChainLink> links, List<CommitProof> committed,
            List<byte[]> payloads) implements Message {
        public State {
            Objects.requireNonNull(stateDigest, "stateDigest");
            checkpointProof = List.copyOf(checkpointProof);
            chained = List.copyOf(chained);
            links = List.copyOf(links);
            committed = List.copyOf(committed);
            payloads = List.copyOf(payloads);
            if (color < 0 || stableSeqno < 0 || firstRetained < 1) {
                throw new IllegalArgumentException("color (" + color + ") and stableSeqno (" + stableSeqno
                        + ") must be >= 0 and firstRetained (" + firstRetained + ") >= 1");
            }
        }

        @Override
        public int type() {
            return STATE;
        }
    }

    /** Asks for the records of {@code color} after store position {@code afterPosition} up to the receiver's stable checkpoint. */
    record FetchSnapshot(int color, long afterPosition) implements Message {
        public FetchSnapshot {
            if (color < 0 || afterPosition < -1) {
                throw new IllegalArgumentException("color (" + color + ") must be >= 0 and afterPosition ("
                        + afterPosition + ") >= -1");
            }
        }

        @Override
        public int type() {
            return FETCH_SNAPSHOT;
        }
    }

    /**
     * One page of a color's version store state at the sender's stable checkpoint: the checkpoint
     * with its 2f+1 proof (whose store digest the receiver must reach), journal entries at store
     * positions up to the end of that checkpoint's batch, after the asked position, with the
     * blocks they first stored; {@code complete} when no entry up to the checkpoint is left.
     * {@code afterPosition} repeats the asked position, so a late answer to an earlier ask is told
     * apart from the answer to the current one. {@code certificates} are the sender's certificates
     * of the versions the entries create; the receiver checks each against the ring's keys.
     */
    record Snapshot(int color, long stableSeqno, Hash32 stateDigest, List<Signed<Checkpoint>> checkpointProof,
            long afterPosition, List<byte[]> entries, List<byte[]> blocks, List<SnapshotPage.Attached> certificates,
            long lastPosition, boolean complete) implements Message {
        public Snapshot {
            Objects.requireNonNull(stateDigest, "stateDigest");
            checkpointProof = List.copyOf(checkpointProof);
            entries = List.copyOf(entries);
            blocks = List.copyOf(blocks);
            certificates = List.copyOf(certificates);
            if (color < 0 || stableSeqno < 1 || afterPosition < -1 || lastPosition < afterPosition) {
                throw new IllegalArgumentException("color (" + color + ") must be >= 0, stableSeqno (" + stableSeqno
                        + ") >= 1, afterPosition (" + afterPosition + ") >= -1 and lastPosition (" + lastPosition
                        + ") >= afterPosition");
            }
        }

        @Override
        public int type() {
            return SNAPSHOT;
        }
    }

    /** Version {@code seq} of object {@code aguid}. */
    record VersionRef(ostore.crypto.Aguid aguid, long seq) {
        public VersionRef {
            Objects.requireNonNull(aguid, "aguid");
            if (seq < 1) {
                throw new IllegalArgumentException("seq (" + seq + ") must be >= 1");
            }
        }
    }

    /**
     * Asks a peer for its certificates of {@code versions}, which the sender stores without one
     * (it missed the BATCH-RESULT votes: it was down, caught up by state transfer, or crashed
     * before they came).
     */
    record FetchCertificates(List<VersionRef> versions) implements Message {
        public FetchCertificates {
            versions = List.copyOf(versions);
            if (versions.isEmpty() || versions.size() > MAX_CERTIFICATES) {
                throw new IllegalArgumentException("a FETCH-CERTIFICATES names 1.." + MAX_CERTIFICATES
                        + " versions, not " + versions.size());
            }
        }

        @Override
        public int type() {
            return FETCH_CERTIFICATES;
        }
    }

    /**
     * The sender's certificates of versions a FETCH-CERTIFICATES asked for (those it holds).
     * {@link Frames} checks every one against the ring's keys and epoch before the core sees it.
     */
    record Certificates(List<SnapshotPage.Attached> certificates) implements Message {
        public Certificates {
            certificates = List.copyOf(certificates);
            if (certificates.isEmpty() || certificates.size() > MAX_CERTIFICATES) {
                throw new IllegalArgumentException("a CERTIFICATES carries 1.." + MAX_CERTIFICATES
                        + " certificates, not " + certificates.size());
            }
        }

        @Override
        public int type() {
            return CERTIFICATES;
        }
    }

    private static void checkSlot(long view, int color, long seqno) {
        if (view < 0 || color < 0 || seqno < 1) {
            throw new IllegalArgumentException("view (" + view + ") and color (" + color
                    + ") must be >= 0 and seqno (" + seqno + ") >= 1");
        }
    }
}
