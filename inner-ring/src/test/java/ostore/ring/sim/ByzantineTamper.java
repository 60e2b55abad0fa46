package ostore.ring.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
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
 */
final class ByzantineTamper {
    enum Behaviour {
        /** Sends nothing, answers no client. */
        SILENT,
        /** As primary, sends a different PRE-PREPARE for the same slot to half the backups. */
        EQUIVOCATE,
        /**
         * Votes, results, checkpoints and batches name digests that are wrong but validly signed;
         * a primary's batch may order updates in a color they do not belong to.
         */
        WRONG_DIGESTS,
        /** Flips a byte in some frames, so their signatures fail. */
        GARBLE,
        /** Replays old frames and re-signs votes for an older view. */
        STALE,
        /** Each frame gets one of the behaviours above except silence, at random. */
        MIXED
    }

    private static final int REMEMBERED_FRAMES = 64;

    private final Behaviour behaviour;
    private final int id;
    private final SigningKey key;
    private final RingConfig config;
    private final SplittableRandom random;
    private final List<byte[]> sentBefore = new ArrayList<>();
    private long tampered;

    ByzantineTamper(Behaviour behaviour, int id, SigningKey key, RingConfig config, SplittableRandom random) {
        this.behaviour = behaviour;
        this.id = id;
        this.key = key;
        this.config = config;
        this.random = random;
    }

    Behaviour behaviour() {
        return behaviour;
    }

    long tampered() {
        return tampered;
    }

    /** The frames to put on the wire to {@code to} instead of {@code frame}: none, it, or others. */
    List<byte[]> outgoing(int to, byte[] frame) {
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
    List<byte[]> reply(byte[] reply) {
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
            case Message.Checkpoint c -> new Message.Checkpoint(c.color(), c.seqno(), randomHash());
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
