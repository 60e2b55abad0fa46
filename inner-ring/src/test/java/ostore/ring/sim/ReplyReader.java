package ostore.ring.sim;

import java.util.Optional;
import ostore.crypto.Hash32;
import ostore.crypto.ResultLeaf;
import ostore.crypto.ResultReply;
import ostore.ring.bft.RingConfig;

/**
 * The client's check of one replica's signed reply ({@link ResultReply}): well formed, about this
 * update, in this ring epoch, from the replica it arrived from, its leaf under the signed results
 * root, and the statement signed with that replica's key. The checks are spelled out here rather
 * than delegated to the reply's own helper, so a bug there cannot hide from the simulator.
 */
final class ReplyReader {
    private final RingConfig config;

    ReplyReader(RingConfig config) {
        this.config = config;
    }

    Optional<ResultLeaf> read(int replica, Hash32 digest, byte[] reply) {
        try {
            ResultReply r = ResultReply.decode(reply);
            boolean valid = r.signer() == replica
                    && r.statement().epoch() == config.epoch()
                    && r.leaf().updateDigest().equals(digest)
                    && r.proof().rootFrom(r.leaf().hash()).equals(r.statement().resultsRoot())
                    && r.statement().verify(replica, config.key(replica), r.signature());
            return valid ? Optional.of(r.leaf()) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
