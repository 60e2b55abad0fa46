package ostore.ring.bft;

import static ostore.ring.bft.RingHarness.PARAMS;
import static ostore.ring.bft.RingHarness.hash;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HexFormat;
import java.util.List;
import ostore.ring.bft.Message.NewView;
import ostore.ring.bft.Message.PrePrepare;
import org.junit.jupiter.api.Test;

/** NEW-VIEW re-proposals: not replaced by plain pre-prepares, and logged durably (NEW-VIEW record). */
class ReproposalTest {
    private static Signed<PrePrepare> prePrepare(RingHarness h, Replica r, long seqno, int digest) {
        return Frames.sign(new PrePrepare(0, 0, seqno, r.env.nowMicros(), List.of(hash(digest))), 0, h.keys.get(0));
    }

    @Test
    void aWaitingPrePrepareIsNotReplacedByAnotherOfItsView() {
        RingHarness h = new RingHarness(PARAMS);
        Replica r = h.replicas.get(1);
        Signed<PrePrepare> first = prePrepare(h, r, 1, 1);
        r.onMessage(first);
        assertSame(first, r.state.lane(0).slotAt(1L).awaitingPayloads(), "waits for the payload it lacks");
        r.onMessage(prePrepare(h, r, 1, 2));
        assertSame(first, r.state.lane(0).slotAt(1L).awaitingPayloads(), "the waiting pre-prepare stays");
    }

    @Test
    void seqnosTheNewViewReproposedComeOnlyFromIt() {
        RingHarness h = new RingHarness(PARAMS);
        Replica r = h.replicas.get(1);
        r.state.lane(0).proposals().reproposed(new PrePrepare(0, 0, 2, r.env.nowMicros(), List.of(hash(9))));
        r.onMessage(prePrepare(h, r, 2, 1));
        Slot slot = r.state.lane(0).slotAt(2L);
        assertNull(slot == null ? null : slot.awaitingPayloads(), "a plain pre-prepare at a re-proposed seqno is refused");
        assertNull(slot == null ? null : slot.accepted());
    }

    @Test
    void newViewRecordGolden() {
        RingHarness h = new RingHarness(PARAMS);
        Signed<NewView> nv = Frames.sign(new NewView(1, List.of(), List.of()), 1, h.keys.get(1));
        byte[] frame = nv.frame();
        byte[] record = LogRecords.newView(nv);
        assertEquals("020a" + String.format("%08x", frame.length) + HexFormat.of().formatHex(frame),
                HexFormat.of().formatHex(record));
        LogRecords.Started back = (LogRecords.Started) LogRecords.decode(h.config, h.config.colors(), record);
        assertArrayEquals(frame, back.newView().frame());
        assertEquals(1, back.newView().message().view());
    }
}
