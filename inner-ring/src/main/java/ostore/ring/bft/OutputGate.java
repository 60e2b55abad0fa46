package ostore.ring.bft;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.Supplier;
import ostore.crypto.Hash32;
import ostore.store.Outcome;

/**
 * The replica's environment as its core sees it: frames and replies wait here until every record
 * the replica appended before producing them is durable ({@link ReplicaLog#appendPipelined}), then
 * go on in the order they were made. So a crash never leaves a peer or client holding a promise the
 * replica's log forgot, while the replica goes on working and one fdatasync covers the records of
 * many messages. When the log is already durable (the simulator's synchronous log, or no pipelined
 * append since) outputs pass straight through, and so do the frames of catching up, which promise
 * nothing ({@link Frames#transfer}). Time and timers are the driver's, unchanged.
 */
final class OutputGate implements ReplicaEnv {
    /** A frame for replica {@code to}, or (with an update digest) a reply to a client. */
    private record Held(long tag, int to, Hash32 updateDigest, byte[] bytes, Outcome outcome) {}

    private final ReplicaEnv out;
    private final ReplicaLog log;
    private final ArrayDeque<Held> held = new ArrayDeque<>();

    OutputGate(ReplicaEnv out, ReplicaLog log) {
        this.out = out;
        this.log = log;
    }

    @Override
    public long nowMicros() {
        return out.nowMicros();
    }

    @Override
    public void send(int to, byte[] frame) {
        if (Frames.transfer(frame)) {
            // Promises nothing: a replica whose log waits for room must still ask for, and serve, what
            // lets it (or a peer) catch up and checkpoint, or a full log could wait for good on a trim
            // only catching up brings (the simulator's seed 586, with small logs).
            out.send(to, frame);
            return;
        }
        emit(new Held(log.issued(), to, null, frame, null));
    }

    @Override
    public void reply(Hash32 updateDigest, byte[] signedReply, Outcome outcome) {
        emit(new Held(log.issued(), -1, updateDigest, signedReply, outcome));
    }

    @Override
    public void setTimer(TimerKey key, long afterMicros) {
        out.setTimer(key, afterMicros);
    }

    @Override
    public void cancelTimer(TimerKey key) {
        out.cancelTimer(key);
    }

    @Override
    public void durabilityAdvanced() {
        out.durabilityAdvanced();
    }

    @Override
    public <T> void execute(int color, Supplier<T> apply, Consumer<T> done) {
        out.execute(color, apply, done);
    }

    /** Hands on, in order, what waited for records now durable. */
    void release() {
        while (!held.isEmpty() && log.isDurable(held.peek().tag())) {
            deliver(held.poll());
        }
    }

    private void emit(Held h) {
        if (held.isEmpty() && log.isDurable(h.tag())) {
            deliver(h);
        } else {
            held.add(h);
        }
    }

    private void deliver(Held h) {
        if (h.updateDigest() == null) {
            out.send(h.to(), h.bytes());
        } else {
            out.reply(h.updateDigest(), h.bytes(), h.outcome());
        }
    }
}
