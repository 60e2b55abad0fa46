package ostore.ring.bft.fault;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import ostore.crypto.CanonicalEncoder;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.crypto.MerkleProof;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultReply;
import ostore.crypto.ResultStatement;
import ostore.crypto.SigningKey;
import ostore.ring.bft.Frames;
import ostore.ring.bft.Message;
import ostore.ring.bft.RingConfig;
import ostore.ring.bft.Signed;

/**
 * Makes a replica Byzantine by rewriting what a correct replica sends: each outgoing frame is
 * decoded, altered and signed again with the replica's own key (a Byzantine replica has it), so
 * the receivers' real verification and protocol code is what gets exercised, not a mock. The
 * replica underneath stays correct, which keeps the faulty one plausible enough to be dangerous.
 *
 * <p>A test-only fault injector, in main code so that one implementation serves both the
 * deterministic simulator and a real replica process started with {@code --byzantine MODE}
 * (docs/operations.md); a production replica never builds one. All its choices come from the
 * {@link SplittableRandom} it is given, so a seed replays the same lies for the same traffic.
 * Its methods are synchronized because a real replica sends frames and client replies from
 * different threads; the simulator calls it from one.
 */
public final class ByzantineTamper {
    /** What the replica does to its traffic; {@link #flag()} is how the command line names it. */
    public enum Behaviour {
        /** Sends nothing, answers no client. */
        SILENT,
        /** As primary, sends a different PRE-PREPARE for the same slot to half the backups. */
        EQUIVOCATE,
        /**
         * Votes, results, checkpoints and batches name digests that are wrong but validly signed;
         * a primary's batch may order updates in a color they do not belong to; STATE answers to a
         * lagging replica carry a forged chain or checkpoint without a valid proof of it; SNAPSHOT
         * pages leave records out or alter blocks; client replies may carry a forged, self-signed
         * result.
         */
        WRONG_DIGESTS,
        /** Flips a byte in some frames, so their signatures fail. */
        GARBLE,
        /** Replays old frames and re-signs votes for an older view. */
        STALE,
        /** Each frame gets one of the behaviours above except silence, at random. */
        MIXED;

        /** The command-line name: lower case, words joined by dashes ({@code wrong-digests}). */
        public String flag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /**
         * The behaviour a command-line name stands for.
         *
         * @throws IllegalArgumentException naming the bad value and the accepted ones
         */
        public static Behaviour fromFlag(String flag) {
            for (Behaviour b : values()) {
                if (b.flag().equals(flag)) {
                    return b;
                }
            }
            List<String> known = new ArrayList<>();
            for (Behaviour b : values()) {
                known.add(b.flag());
            }
            throw new IllegalArgumentException("unknown Byzantine mode '" + flag + "' (one of " + known + ")");
        }
    }

    private static final int REMEMBERED_FRAMES = 64;

    private final Behaviour behaviour;
    private final int id;
    private final SigningKey key;
    private final RingConfig config;
    private final SplittableRandom random;
    private final List<byte[]> sentBefore = new ArrayList<>();
    /** Per color, what this replica's own frames told of its chain: state digests and the steps between. */
    private final Map<Integer, ChainKnowledge> chains = new HashMap<>();
    private long tampered;
    private long forgedStates;
    private long forgedSnapshots;
    private long forgedChains;
    private long forgedReplies;

    /**
     * @param id the replica's id in {@code config}
     * @param key the replica's own signing key, used to sign the altered frames and replies again
     * @param random the source of every choice this tamper makes
     */
    public ByzantineTamper(Behaviour behaviour, int id, SigningKey key, RingConfig config, SplittableRandom random) {
        this.behaviour = behaviour;
        this.id = id;
        this.key = key;
        this.config = config;
        this.random = random;
    }

    public Behaviour behaviour() {
        return behaviour;
    }

    /** Outgoing frames so far that were dropped, altered or joined by others. */
    public synchronized long tampered() {
        return tampered;
    }

    /** Forged STATE answers so far, so a suite can show the attack ran. */
    public synchronized long forgedStates() {
        return forgedStates;
    }

    /** SNAPSHOT pages forged so far. */
    public synchronized long forgedSnapshots() {
        return forgedSnapshots;
    }

    /** Of those, the ones whose forged chain starts at the receiver's real state, so only the proof stops them. */
    public synchronized long forgedChains() {
        return forgedChains;
    }

    /** Client replies so far replaced by a forged, validly self-signed result. */
    public synchronized long forgedReplies() {
        return forgedReplies;
    }

    /** The frames to put on the wire to {@code to} instead of {@code frame}: none, it, or others. */
    public synchronized List<byte[]> outgoing(int to, byte[] frame) {
        learn(frame);
        Behaviour b = behaviour == Behaviour.MIXED ? Behaviour.values()[1 + random.nextInt(4)] : behaviour;
        List<byte[]> out = switch (b) {
            case SILENT -> List.of();
            case EQUIVOCATE -> List.of(equivocate(to, frame));
            case WRONG_DIGESTS -> List.of(random.nextBoolean() ? wrongDigests(frame) : frame);
            case GARBLE -> List.of(random.nextInt(3) == 0 ? garble(frame) : frame);
            case STALE -> stale(frame);
            case MIXED -> throw new AssertionError("MIXED picks a concrete behaviour");
        };
        remember(frame);
        if (out.size() != 1 || out.getFirst() != frame) {
            tampered++;
        }
        return out;
    }

    /** What the replica's clients get instead of {@code reply}; empty for none. */
    public synchronized List<byte[]> reply(byte[] reply) {
        return switch (behaviour) {
            case SILENT -> List.of();
            case GARBLE -> List.of(random.nextBoolean() ? garble(reply) : reply);
            case WRONG_DIGESTS, MIXED -> List.of(random.nextBoolean() ? forgeReply(reply) : reply);
            case EQUIVOCATE, STALE -> List.of(reply);
        };
    }

    /**
     * A reply that verifies but lies: the result says the update committed as a later seq with a
     * VGUID nobody computed, under a one-leaf results tree this replica signs. One such reply
     * must never be enough for a client.
     */
    private byte[] forgeReply(byte[] reply) {
        ResultReply real;
        try {
            real = ResultReply.decode(reply);
        } catch (IllegalArgumentException e) {
            return reply;
        }
        ResultLeaf leaf = real.leaf();
        ResultLeaf lie = new ResultLeaf(leaf.updateDigest(), ResultLeaf.COMMITTED, 0, leaf.aguid(), leaf.seq() + 1,
                randomHash(), leaf.timestampMicros());
        List<Hash32> leaves = List.of(lie.hash());
        ResultStatement statement = new ResultStatement(real.statement().epoch(), real.statement().color(),
                real.statement().seqno(), MerkleProof.root(leaves));
        byte[] signature = key.sign(Domain.RING_MESSAGE, statement.signedBytes(id));
        forgedReplies++;
        return new ResultReply(lie, MerkleProof.of(leaves, 0), id, statement, signature).encode();
    }

    private byte[] equivocate(int to, byte[] frame) {
        // Backups with odd ids see the real batch, the others a different one for the same slot.
        if (to % 2 == 1 || !(decode(frame) instanceof Message.PrePrepare p)) {
            return frame;
        }
        List<Hash32> digests = new ArrayList<>(p.digests());
        if (digests.size() > 1) {
            digests = digests.reversed();
        } else if (!digests.isEmpty()) {
            digests.clear();
        }
        return sign(new Message.PrePrepare(p.view(), p.color(), p.seqno(), p.timestampMicros() + 1, digests));
    }

    private byte[] wrongDigests(byte[] frame) {
        Message altered = switch (decode(frame)) {
            case Message.Prepare p -> new Message.Prepare(p.view(), p.color(), p.seqno(), randomHash());
            case Message.Commit c -> new Message.Commit(c.view(), c.color(), c.seqno(), randomHash());
            case Message.Checkpoint c -> new Message.Checkpoint(c.color(), c.seqno(), randomHash(), c.storeDigest());
            case Message.BatchResult r -> new Message.BatchResult(new ResultStatement(r.statement().epoch(),
                    r.statement().color(), r.statement().seqno(), randomHash()));
            case Message.PrePrepare p when !p.digests().isEmpty() && config.colors() > 1 && random.nextBoolean() ->
                    // The same updates ordered in another color's lane, where they do not belong.
                    new Message.PrePrepare(p.view(), (p.color() + 1) % config.colors(), p.seqno(),
                            p.timestampMicros(), p.digests());
            case Message.PrePrepare p when !p.digests().isEmpty() -> {
                List<Hash32> digests = new ArrayList<>(p.digests());
                digests.set(random.nextInt(digests.size()), randomHash());
                yield new Message.PrePrepare(p.view(), p.color(), p.seqno(), p.timestampMicros(), digests);
            }
            case Message.State st -> forgeState(st);
            case Message.Snapshot sn when !sn.entries().isEmpty() -> forgeSnapshot(sn);
            case Message.Payloads p when !p.signedUpdates().isEmpty() -> {
                List<byte[]> updates = new ArrayList<>(p.signedUpdates());
                int i = random.nextInt(updates.size());
                updates.set(i, garble(updates.get(i)));
                yield new Message.Payloads(updates);
            }
            case null -> null;
            default -> null;
        };
        return altered == null ? frame : sign(altered);
    }

    /**
     * A STATE answer that lies about the chain, in one of several ways, none with a valid 2f+1
     * checkpoint proof of what it claims. Where this replica knows the state the receiver chains
     * from, the forged chain really reaches the claimed digest, so only the proof check stops it.
     */
    /**
     * A snapshot page with a record left out, cut short but called complete, or a block's bytes
     * changed: the checkpoint proof stays genuine, so only the receiving store's checks and its
     * digest comparison stop it.
     */
    private Message.Snapshot forgeSnapshot(Message.Snapshot s) {
        List<byte[]> entries = s.entries();
        List<byte[]> blocks = new ArrayList<>(s.blocks());
        boolean complete = s.complete();
        switch (random.nextInt(3)) {
            case 0 -> entries = entries.subList(0, entries.size() - 1);
            case 1 -> {
                entries = entries.subList(0, (entries.size() + 1) / 2);
                complete = true;
            }
            default -> {
                if (blocks.isEmpty()) {
                    entries = entries.subList(1, entries.size());
                } else {
                    int i = random.nextInt(blocks.size());
                    blocks.set(i, garble(blocks.get(i)));
                }
            }
        }
        forgedSnapshots++;
        return new Message.Snapshot(s.color(), s.stableSeqno(), s.stateDigest(), s.checkpointProof(),
                s.afterPosition(), entries, blocks, s.certificates(), s.lastPosition(), complete);
    }

    private Message.State forgeState(Message.State s) {
        int color = s.color();
        List<Message.ChainedBatch> chained = s.chained();
        Hash32 start = chained.isEmpty() ? null : knowledge(color).stateAt(chained.getFirst().seqno() - 1);
        Message.State forged = switch (random.nextInt(4)) {
            // (a) The real batches, but a digest computed over a reordered chain; the real proof kept or dropped.
            case 0 -> {
                List<Message.ChainedBatch> altered = reorder(chained);
                Hash32 digest = start == null ? randomHash() : chainOver(start, color, altered, s.links());
                yield new Message.State(color, s.stableSeqno(), digest,
                        random.nextBoolean() ? s.checkpointProof() : List.of(), s.firstRetained(), chained,
                        s.links(), s.committed(), s.payloads());
            }
            // (b) A lower stable point than the real one, with an empty proof and the chain cut to it.
            case 1 -> {
                if (chained.isEmpty()) {
                    yield new Message.State(color, Math.max(1, s.stableSeqno() - 1), randomHash(), List.of(),
                            s.firstRetained(), List.of(), List.of(), List.of(), s.payloads());
                }
                List<Message.ChainedBatch> cut = chained.subList(0, 1 + random.nextInt(chained.size()));
                Hash32 digest = start == null ? randomHash() : chainOver(start, color, reorder(cut), List.of());
                yield new Message.State(color, cut.getLast().seqno(), digest, List.of(), s.firstRetained(),
                        reorder(cut), List.of(), List.of(), s.payloads());
            }
            // (c) Reordered (or altered) batches chained from the receiver's state to a forger-chosen end,
            // with the real checkpoint's proof attached to a claim it does not prove.
            case 2 -> {
                List<Message.ChainedBatch> altered = reorder(chained);
                Hash32 digest = start == null ? randomHash() : chainOver(start, color, altered, s.links());
                yield new Message.State(color, s.stableSeqno(), digest, s.checkpointProof(), s.firstRetained(),
                        altered, s.links(), List.of(), s.payloads());
            }
            // (d) A stable point far above the real one, a digest nobody signed, and nothing retained below it.
            default -> new Message.State(color, s.stableSeqno() + 1 + random.nextInt(64), randomHash(),
                    s.checkpointProof(), s.stableSeqno() + 1, List.of(), List.of(), List.of(), List.of());
        };
        forgedStates++;
        if (start != null) {
            forgedChains++;
        }
        return forged;
    }

    /** The batches with the updates of one (several where there are) reordered, or one replaced. */
    private List<Message.ChainedBatch> reorder(List<Message.ChainedBatch> chained) {
        List<Message.ChainedBatch> out = new ArrayList<>(chained);
        if (out.isEmpty()) {
            return out;
        }
        for (int i = 0; i < out.size(); i++) {
            Message.ChainedBatch b = out.get(i);
            if (b.digests().size() > 1) {
                out.set(i, new Message.ChainedBatch(b.seqno(), b.timestampMicros(), b.digests().reversed(),
                        b.resultsRoot()));
                return out;
            }
        }
        // No batch to reorder: one batch drops its updates (or, if it had none, gains one nobody sent).
        int i = random.nextInt(out.size());
        Message.ChainedBatch b = out.get(i);
        out.set(i, new Message.ChainedBatch(b.seqno(), b.timestampMicros(),
                b.digests().isEmpty() ? List.of(randomHash()) : List.of(), b.resultsRoot()));
        return out;
    }

    private static Hash32 chainOver(Hash32 start, int color, List<Message.ChainedBatch> chained,
            List<Message.ChainLink> links) {
        Hash32 state = start;
        long n = chained.isEmpty() ? -1 : chained.getFirst().seqno();
        for (Message.ChainedBatch b : chained) {
            state = chainStep(state, color, b.seqno(), batchDigest(color, b), b.resultsRoot());
            n = b.seqno() + 1;
        }
        for (Message.ChainLink l : links) {
            state = chainStep(state, color, n++, l.batchDigest(), l.resultsRoot());
        }
        return state;
    }

    private static Hash32 batchDigest(int color, Message.ChainedBatch b) {
        return new Message.PrePrepare(0, color, b.seqno(), b.timestampMicros(), b.digests()).batchDigest();
    }

    /** The replica's chain step (Lane.chain): H(prev || color || seqno || batch digest || results root). */
    private static Hash32 chainStep(Hash32 previous, int color, long seqno, Hash32 batchDigest, Hash32 resultsRoot) {
        byte[] m = new CanonicalEncoder(108).hash(previous).u32(color).i64(seqno).hash(batchDigest)
                .hash(resultsRoot).toByteArray();
        return Hashing.hash(Domain.RING_STATE, m);
    }

    private ChainKnowledge knowledge(int color) {
        return chains.computeIfAbsent(color, c -> new ChainKnowledge(c));
    }

    /** Records what this replica's own (untampered) frame says of its chain. */
    private void learn(byte[] frame) {
        switch (decode(frame)) {
            case Message.Checkpoint c -> knowledge(c.color()).states.put(c.seqno(), c.stateDigest());
            case Message.Commit c -> knowledge(c.color()).batches.put(c.seqno(), c.batchDigest());
            case Message.BatchResult r -> knowledge(r.statement().color()).roots.put(r.statement().seqno(),
                    r.statement().resultsRoot());
            case Message.State st -> {
                ChainKnowledge k = knowledge(st.color());
                long n = st.stableSeqno() - st.chained().size() - st.links().size() + 1;
                for (Message.ChainedBatch b : st.chained()) {
                    k.batches.put(b.seqno(), batchDigest(st.color(), b));
                    k.roots.put(b.seqno(), b.resultsRoot());
                    n = b.seqno() + 1;
                }
                for (Message.ChainLink l : st.links()) {
                    k.batches.put(n, l.batchDigest());
                    k.roots.put(n++, l.resultsRoot());
                }
                // This replica's own stable checkpoint, so its real digest.
                k.states.put(st.stableSeqno(), st.stateDigest());
            }
            case null -> { }
            default -> { }
        }
    }

    /** One color's chain as far as this replica's frames showed it. */
    private static final class ChainKnowledge {
        final int color;
        final TreeMap<Long, Hash32> states = new TreeMap<>(Map.of(0L, Hash32.of(new byte[Hash32.LENGTH])));
        final Map<Long, Hash32> batches = new HashMap<>();
        final Map<Long, Hash32> roots = new HashMap<>();

        ChainKnowledge(int color) {
            this.color = color;
        }

        /** The state digest after {@code seqno}, chained from the nearest known one below; null if a step is unknown. */
        Hash32 stateAt(long seqno) {
            Map.Entry<Long, Hash32> anchor = states.floorEntry(seqno);
            Hash32 state = anchor.getValue();
            for (long n = anchor.getKey() + 1; n <= seqno; n++) {
                Hash32 batch = batches.get(n);
                Hash32 root = roots.get(n);
                if (batch == null || root == null) {
                    return null;
                }
                state = chainStep(state, color, n, batch, root);
            }
            return state;
        }
    }

    private List<byte[]> stale(byte[] frame) {
        List<byte[]> out = new ArrayList<>();
        out.add(frame);
        if (!sentBefore.isEmpty() && random.nextInt(3) == 0) {
            out.add(sentBefore.get(random.nextInt(sentBefore.size())));
        }
        Message older = switch (decode(frame)) {
            case Message.Prepare p when p.view() > 0 -> new Message.Prepare(p.view() - 1, p.color(), p.seqno(),
                    p.batchDigest());
            case Message.Commit c when c.view() > 0 -> new Message.Commit(c.view() - 1, c.color(), c.seqno(),
                    c.batchDigest());
            case null -> null;
            default -> null;
        };
        if (older != null) {
            out.add(sign(older));
        }
        return out;
    }

    private void remember(byte[] frame) {
        if (sentBefore.size() == REMEMBERED_FRAMES) {
            sentBefore.remove(random.nextInt(REMEMBERED_FRAMES));
        }
        sentBefore.add(frame);
    }

    private byte[] garble(byte[] bytes) {
        byte[] out = bytes.clone();
        if (out.length > 0) {
            out[random.nextInt(out.length)] ^= (byte) (1 + random.nextInt(255));
        }
        return out;
    }

    private Hash32 randomHash() {
        byte[] b = new byte[Hash32.LENGTH];
        random.nextBytes(b);
        return Hash32.of(b);
    }

    /** The message inside one of this replica's own frames; null if it is not one (it always should be). */
    private Message decode(byte[] frame) {
        try {
            Signed<?> s = Frames.decodeAndVerify(frame, config);
            return s.message();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private byte[] sign(Message m) {
        return Frames.encode(m, id, key);
    }
}
