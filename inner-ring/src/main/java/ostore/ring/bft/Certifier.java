package ostore.ring.bft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    private final Map<Key, Pending> pending = new HashMap<>();
    private long certificatesAttached;

    Certifier(RingConfig config, VersionStore store) {
        this.config = config;
        this.store = store;
    }

    /** This replica executed the batch and signed {@code own}. */
    void executed(ResultStatement own, List<ResultLeaf> leaves, Signed<BatchResult> signed) {
        Pending p = pending.computeIfAbsent(new Key(own.color(), own.seqno()), k -> new Pending());
        p.leaves = List.copyOf(leaves);
        p.own = own;
        vote(signed);
    }

    void vote(Signed<BatchResult> r) {
        ResultStatement s = r.message().statement();
        if (s.epoch() != config.epoch() || s.color() >= config.colors()) {
            return;
        }
        Key key = new Key(s.color(), s.seqno());
        Pending p = pending.computeIfAbsent(key, k -> new Pending());
        byte[] frame = r.frameUnsafe();
        byte[] signature = Arrays.copyOfRange(frame, frame.length - PublicKey.SIGNATURE_LENGTH, frame.length);
        p.votes.computeIfAbsent(s.resultsRoot(), h -> new TreeMap<>()).putIfAbsent(r.sender(), signature);
        attachIfCertified(key, p);
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
