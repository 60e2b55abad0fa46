package ostore.ring.bft;

import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.Checkpoint;

/**
 * The CHECKPOINT votes a lane gathered, by seqno and digest. A sender starts at most one digest per
 * seqno, so a faulty peer cannot fill memory with votes; a sender that voted one digest may still
 * join another that others voted for: a peer that equivocated (or whose first vote a replica relayed
 * came late) then counts where its signature agrees, as a certificate of 2f+1 distinct signers
 * allows, and the ring does not wait forever on the one replica that never saw the checkpoint (a
 * peer passing on the stable proof it holds, {@link StateTransfer#fetch}). Owned by one {@link Lane},
 * which keeps only votes inside its window.
 */
final class CheckpointVotes {
    private final TreeMap<Long, Map<Hash32, Map<Integer, Signed<Checkpoint>>>> votes = new TreeMap<>();

    /** Records {@code c}; @return its proof, ordered by sender, once {@code quorum} senders agree, else null. */
    List<Signed<Checkpoint>> add(Signed<Checkpoint> c, int quorum) {
        Checkpoint m = c.message();
        Map<Hash32, Map<Integer, Signed<Checkpoint>>> byDigest = votes.computeIfAbsent(m.seqno(), s -> new HashMap<>());
        if (!byDigest.containsKey(m.digest())) {
            for (Map<Integer, Signed<Checkpoint>> others : byDigest.values()) {
                if (others.containsKey(c.sender())) {
                    return null;
                }
            }
        }
        Map<Integer, Signed<Checkpoint>> voters = byDigest.computeIfAbsent(m.digest(), d -> new HashMap<>());
        voters.putIfAbsent(c.sender(), c);
        if (voters.size() < quorum) {
            return null;
        }
        return voters.values().stream().sorted(Comparator.comparingInt(Signed::sender)).toList();
    }

    /** The vote {@code sender} sent for {@code digest} at {@code seqno}, or null. */
    Signed<Checkpoint> vote(long seqno, Hash32 digest, int sender) {
        Map<Hash32, Map<Integer, Signed<Checkpoint>>> byDigest = votes.get(seqno);
        Map<Integer, Signed<Checkpoint>> voters = byDigest == null ? null : byDigest.get(digest);
        return voters == null ? null : voters.get(sender);
    }

    /** The seqnos at which votes are kept (read-only). */
    NavigableSet<Long> seqnos() {
        return Collections.unmodifiableNavigableSet(votes.navigableKeySet());
    }

    /** Forgets the votes at and below {@code seqno}. */
    void forgetThrough(long seqno) {
        votes.headMap(seqno, true).clear();
    }
}
