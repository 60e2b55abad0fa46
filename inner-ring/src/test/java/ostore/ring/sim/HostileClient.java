package ostore.ring.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import ostore.crypto.Aguid;
import ostore.crypto.SigningKey;
import ostore.ring.SubmittedUpdate;
import ostore.store.Action;
import ostore.store.Clause;
import ostore.store.Creation;
import ostore.store.Predicate;
import ostore.store.Update;

/**
 * A Byzantine client: its updates are validly signed (it owns its object), but it sends them where
 * and how it likes, ignoring replies. Every trick is one a faulty client could play on a real ring
 * (the header that says "I sent it to every replica" is no more than a lie about where it sent).
 * None of them may move a correct replica out of its view.
 */
final class HostileClient {
    enum Trick {
        /** Sends an update to some backups only (the primary of view 0 never gets it from the client). */
        BACKUPS_ONLY,
        /** Sends an update to one backup only. */
        ONE_BACKUP,
        /** Signs two different bodies under one nonce and sends each to a different part of the ring. */
        EQUIVOCATE,
        /** Sends again, to a few replicas, an update it sent before. */
        REPLAY,
        /** Sends one update to every replica many times over. */
        FLOOD
    }

    private static final int FLOOD_COPIES = 20;

    private final int node;
    private final int replicas;
    private final SigningKey key;
    private final Aguid aguid;
    private final SimNetwork network;
    private final EventQueue events;
    private final SplittableRandom random;
    private final SimClient.Workload workload;
    private final int tricksMax;
    private final long gapMaxMicros;
    private final List<byte[]> sent = new ArrayList<>();
    private final int[] played = new int[Trick.values().length];
    private long nextNonce;
    private int tricks;
    private boolean stopped;

    HostileClient(int node, int replicas, SigningKey key, SimNetwork network, EventQueue events,
            SplittableRandom random, SimClient.Workload workload, int tricksMax, long gapMaxMicros) {
        this.node = node;
        this.replicas = replicas;
        this.key = key;
        this.aguid = Aguid.of(key.publicKey(), "hostile");
        this.network = network;
        this.events = events;
        this.random = random;
        this.workload = workload;
        this.tricksMax = tricksMax;
        this.gapMaxMicros = gapMaxMicros;
        network.attach(node, (from, frame) -> {});
    }

    void start() {
        // The object must exist for the tricks to reach its history; the creation goes everywhere.
        sendTo(allReplicas(), sign(fresh()));
        next();
    }

    void stop() {
        stopped = true;
    }

    /** How often each trick was played, for the run's summary. */
    String describe() {
        StringBuilder b = new StringBuilder("hostile client");
        for (Trick t : Trick.values()) {
            b.append(' ').append(t.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(played[t.ordinal()]);
        }
        return b.toString();
    }

    private void next() {
        if (stopped || tricks >= tricksMax) {
            return;
        }
        events.after(1 + random.nextLong(gapMaxMicros), "hostile client trick", () -> {
            if (!stopped) {
                play(Trick.values()[random.nextInt(Trick.values().length)]);
                tricks++;
                next();
            }
        });
    }

    private void play(Trick trick) {
        played[trick.ordinal()]++;
        switch (trick) {
            case BACKUPS_ONLY -> {
                List<Integer> to = new ArrayList<>();
                for (int r = 1; r < replicas; r++) {
                    if (random.nextBoolean()) {
                        to.add(r);
                    }
                }
                sendTo(to.isEmpty() ? List.of(1) : to, sign(fresh()));
            }
            case ONE_BACKUP -> sendTo(List.of(1 + random.nextInt(replicas - 1)), sign(fresh()));
            case EQUIVOCATE -> {
                long nonce = nextNonce++;
                byte[] a = sign(append(nonce, "a"));
                byte[] b = sign(append(nonce, "b"));
                for (int r = 0; r < replicas; r++) {
                    sendTo(List.of(r), random.nextBoolean() ? a : b);
                }
            }
            case REPLAY -> {
                byte[] old = sent.get(random.nextInt(sent.size()));
                sendTo(List.of(random.nextInt(replicas)), old);
            }
            case FLOOD -> {
                byte[] u = sign(fresh());
                for (int i = 0; i < FLOOD_COPIES; i++) {
                    sendTo(allReplicas(), u);
                }
            }
        }
    }

    private Update fresh() {
        return append(nextNonce++, "x");
    }

    private Update append(long nonce, String body) {
        byte[] data = ("hostile#" + nonce + body).getBytes(StandardCharsets.UTF_8);
        return new Update(aguid, nonce, List.of(new Clause(new Predicate.Always(), List.of(new Action.Append(
                Action.Data.of(data))))), Optional.of(new Creation(key.publicKey(), "hostile")));
    }

    private byte[] sign(Update u) {
        SubmittedUpdate signed = SimUpdateCodec.sign(key, u);
        workload.signed(signed);
        sent.add(signed.signedUpdate());
        return signed.signedUpdate();
    }

    private List<Integer> allReplicas() {
        List<Integer> all = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            all.add(r);
        }
        return all;
    }

    private void sendTo(List<Integer> to, byte[] bytes) {
        for (int r : to) {
            network.send(node, r, bytes);
        }
    }
}
