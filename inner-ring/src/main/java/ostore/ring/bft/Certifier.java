package ostore.ring.bft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;
import ostore.crypto.Certificate;
import ostore.crypto.Hash32;
import ostore.crypto.MerkleProof;
import ostore.crypto.PublicKey;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultStatement;
import ostore.ring.bft.Message.BatchResult;
import ostore.store.VersionStore;

/**
 * Collects BATCH-RESULT signatures per batch. Once 2f+1 replicas signed the same results root as
 * this replica computed, every version the batch committed gets its certificate in the store.
 */
final class Certifier {
    private record Key(int color, long seqno) {}

    private static final class Pending {
        List<ResultLeaf> leaves;
        ResultStatement own;
        final Map<Hash32, TreeMap<Integer, byte[]>> votes = new HashMap<>();
    }

    private final RingConfig config;
    private final VersionStore store;
    /** Each color's stable checkpoint: votes are kept only near it, so a faulty peer cannot fill memory. */
    private final IntToLongFunction stableOf;
    private final Map<Key, Pending> pending = new HashMap<>();
    private long certificatesAttached;

    Certifier(RingConfig config, VersionStore store, IntToLongFunction stableOf) {
        this.config = config;
        this.store = store;
        this.stableOf = stableOf;
    }

    /** This replica executed the batch and signed {@code own}. */
    void executed(ResultStatement own, List<ResultLeaf> leaves, Signed<BatchResult> signed) {
        Pending p = pending.computeIfAbsent(new Key(own.color(), own.seqno()), k -> new Pending());
        p.leaves = List.copyOf(leaves);
        p.own = own;
        record(signed, p);
    }

    /**
     * A peer's vote. Kept only for a seqno of a known color within a window either side of its
     * stable checkpoint: above it no correct replica has executed yet, and below it what is left is
     * what {@link #forgetUpTo} keeps (late votes for batches executed just before a checkpoint, or
     * by state transfer). One vote per sender and batch: a correct replica signs one results root.
     */
    void vote(Signed<BatchResult> r) {
        ResultStatement s = r.message().statement();
        if (s.epoch() != config.epoch() || s.color() < 0 || s.color() >= config.colors()) {
            return;
        }
        long stable = stableOf.applyAsLong(s.color());
        long window = config.params().watermarkWindow();
        if (s.seqno() <= stable - window || s.seqno() > stable + window) {
            return;
        }
        record(r, pending.computeIfAbsent(new Key(s.color(), s.seqno()), k -> new Pending()));
    }

    private void record(Signed<BatchResult> r, Pending p) {
        ResultStatement s = r.message().statement();
        for (TreeMap<Integer, byte[]> signers : p.votes.values()) {
            if (signers.containsKey(r.sender())) {
                return;
            }
        }
        byte[] frame = r.frameUnsafe();
        byte[] signature = Arrays.copyOfRange(frame, frame.length - PublicKey.SIGNATURE_LENGTH, frame.length);
        p.votes.computeIfAbsent(s.resultsRoot(), h -> new TreeMap<>()).put(r.sender(), signature);
        attachIfCertified(new Key(s.color(), s.seqno()), p);
    }

    /** Votes held for batches not yet certified: bounded by the window, whatever peers send. */
    int retainedVotes() {
        return pending.values().stream().mapToInt(p -> p.votes.values().stream().mapToInt(Map::size).sum()).sum();
    }

    private void attachIfCertified(Key key, Pending p) {
        if (p.own == null) {
            return;
        }
        TreeMap<Integer, byte[]> signers = p.votes.getOrDefault(p.own.resultsRoot(), new TreeMap<>());
        if (signers.size() < config.quorum()) {
            return;
        }
        List<Certificate.Signature> signatures = new ArrayList<>();
        signers.forEach((id, sig) -> signatures.add(new Certificate.Signature(id, sig)));
        List<Hash32> hashes = p.leaves.stream().map(ResultLeaf::hash).toList();
        for (int i = 0; i < p.leaves.size(); i++) {
            ResultLeaf leaf = p.leaves.get(i);
            if (leaf.outcome() == ResultLeaf.COMMITTED) {
                Certificate c = new Certificate(p.own, leaf, MerkleProof.of(hashes, i), signatures);
                store.attachCertificate(leaf.aguid(), leaf.seq(), c.encode());
                certificatesAttached++;
            }
        }
        pending.remove(key);
    }

    /** Forgets batches at or below {@code seqno} of {@code color} that never gathered a quorum. */
    void forgetUpTo(int color, long seqno) {
        pending.keySet().removeIf(k -> k.color() == color && k.seqno() <= seqno);
    }

    long certificatesAttached() {
        return certificatesAttached;
    }
}
