package ostore.ring.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import ostore.crypto.Hash32;
import ostore.ring.bft.Message.FetchState;
import ostore.ring.bft.Message.Prepare;
import ostore.store.Outcome;
import org.junit.jupiter.api.Test;

/** The output gate: what the replica says waits for the records it appended before, catching up does not. */
class OutputGateTest {
    private final RingConfig config = RingHarness.config(1, RingHarness.PARAMS);
    private final MemorySharedLog shared = new MemorySharedLog(2);
    private final ReplicaLog log = new ReplicaLog(shared, config);
    /** What left the gate, in order: "send TO TYPE" or "reply". */
    private final List<String> out = new ArrayList<>();
    private final OutputGate gate = new OutputGate(new RecordingEnv(), log);

    private byte[] frame(Message m) {
        return Frames.encode(m, 0, RingHarness.key(0));
    }

    private byte[] prepare(long seqno) {
        return frame(new Prepare(0, 0, seqno, RingHarness.hash(1)));
    }

    @Test
    void framesAndRepliesWaitForEarlierRecordsAndLeaveInTheOrderTheyWereMade() {
        gate.send(1, prepare(1));
        assertEquals(List.of("send 1 " + Message.PREPARE), out, "nothing appended yet: straight through");
        shared.hold();
        log.appendPipelined(0, LogRecords.payload(new byte[] {1, 2, 3}));
        gate.send(2, prepare(2));
        gate.reply(RingHarness.hash(7), new byte[] {9}, null);
        gate.send(3, prepare(3));
        assertEquals(1, out.size(), "the record they follow is not durable: all three wait");
        gate.release();
        assertEquals(1, out.size(), "released early: still nothing durable");
        shared.release();
        gate.release();
        assertEquals(List.of("send 1 " + Message.PREPARE, "send 2 " + Message.PREPARE, "reply",
                "send 3 " + Message.PREPARE), out);
    }

    @Test
    void aLaterOutputNeverOvertakesAnEarlierOneThatWaits() {
        shared.hold();
        log.appendPipelined(0, LogRecords.payload(new byte[] {1}));
        gate.send(1, prepare(1));
        shared.release();
        // Durable now, but an earlier output still waits in the gate: this one queues behind it.
        gate.send(1, prepare(2));
        assertTrue(out.isEmpty(), out.toString());
        gate.release();
        assertEquals(List.of("send 1 " + Message.PREPARE, "send 1 " + Message.PREPARE), out);
    }

    @Test
    void catchingUpFramesPassWhileRecordsWait() {
        shared.hold();
        log.appendPipelined(0, LogRecords.payload(new byte[] {1}));
        gate.send(1, prepare(1));
        gate.send(2, frame(new FetchState(0, 5)));
        // A log waiting for room must still ask for what lets it catch up and trim (sim seed 586).
        assertEquals(List.of("send 2 " + Message.FETCH_STATE), out);
        shared.release();
        gate.release();
        assertEquals(List.of("send 2 " + Message.FETCH_STATE, "send 1 " + Message.PREPARE), out);
    }

    /** Records what the gate hands on; the type is the frame's second byte. */
    private final class RecordingEnv implements ReplicaEnv {
        @Override
        public long nowMicros() {
            return 0;
        }

        @Override
        public void send(int to, byte[] frame) {
            out.add("send " + to + " " + Byte.toUnsignedInt(frame[1]));
        }

        @Override
        public void setTimer(TimerKey key, long afterMicros) {}

        @Override
        public void cancelTimer(TimerKey key) {}

        @Override
        public void durabilityAdvanced() {}

        @Override
        public void reply(Hash32 updateDigest, byte[] signedReply, Outcome outcome) {
            out.add("reply");
        }

        @Override
        public <T> void execute(int color, java.util.function.Supplier<T> apply, java.util.function.Consumer<T> done) {
            done.accept(apply.get());
        }
    }
}
