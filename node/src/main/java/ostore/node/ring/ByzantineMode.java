package ostore.node.ring;

import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.logging.Logger;
import ostore.crypto.SigningKey;
import ostore.ring.bft.RingConfig;
import ostore.ring.bft.fault.ByzantineTamper;
import ostore.ring.runtime.ReplicaLoop;

/**
 * A test-only fault mode for a real replica process ({@code ostore replica --byzantine MODE}): the
 * replica stays correct inside, but what it sends to its peers and clients goes through the same
 * {@link ByzantineTamper} the simulator uses, so the other processes' real verification faces real
 * lies. It exists to test a ring against a faulty member over the real transport; a production
 * replica never has one (its {@link ReplicaNode.Config} holds null).
 *
 * @param behaviour which lies the replica tells
 * @param seed the tamper's random seed, so that a run's choices can be replayed for the same traffic
 */
public record ByzantineMode(ByzantineTamper.Behaviour behaviour, long seed) {
    public ByzantineMode {
        Objects.requireNonNull(behaviour, "behaviour");
    }

    /** The tamper wired into one replica; logs loudly that it is there and, now and then, what it did. */
    static final class Hook {
        private static final Logger LOG = Logger.getLogger(ByzantineMode.class.getName());

        private final int id;
        private final ByzantineMode mode;
        private final ByzantineTamper tamper;
        private long reportTamperedAt = 1;
        private long reportForgedAt = 1;

        Hook(ByzantineMode mode, int id, SigningKey key, RingConfig ring) {
            this.id = id;
            this.mode = mode;
            this.tamper = new ByzantineTamper(mode.behaviour(), id, key, ring, new SplittableRandom(mode.seed()));
            LOG.warning(() -> "replica " + id + " runs in Byzantine test mode " + mode.behaviour().flag() + " (seed "
                    + mode.seed() + "): it will lie to its peers and clients");
        }

        /** {@code real}, with every frame the replica sends replaced by what the tamper makes of it. */
        ReplicaLoop.Peers peers(ReplicaLoop.Peers real) {
            return (to, frame) -> {
                for (byte[] f : tamper.outgoing(to, frame)) {
                    real.send(to, f);
                }
                report();
            };
        }

        /** What a waiting client gets in place of the replica's own signed result. */
        List<byte[]> toClients(byte[] signedReply) {
            List<byte[]> out = tamper.reply(signedReply);
            report();
            return out;
        }

        /** One line each time a count reaches a power of two: proof the lies are told, without flooding the log. */
        private synchronized void report() {
            long tampered = tamper.tampered();
            long forged = tamper.forgedReplies();
            long states = tamper.forgedStates();
            if (tampered < reportTamperedAt && forged < reportForgedAt) {
                return;
            }
            while (reportTamperedAt <= tampered) {
                reportTamperedAt *= 2;
            }
            while (reportForgedAt <= forged) {
                reportForgedAt *= 2;
            }
            LOG.warning(() -> "Byzantine replica " + id + " (" + mode.behaviour().flag() + ") so far: " + tampered
                    + " frames tampered with, " + forged + " client replies forged, " + states + " STATE answers forged");
        }
    }
}
