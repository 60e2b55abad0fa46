package ostore.ring.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimNetworkTest {
    private record Delivery(long atMicros, int from, int to, int marker) {}

    private static List<Delivery> run(long seed, java.util.function.Consumer<NetworkFaults> rules, int frames) {
        Trace trace = new Trace();
        EventQueue events = new EventQueue(trace);
        SimNetwork net = new SimNetwork(events, new SplittableRandom(seed), new NetworkFaults(4, 100, 5_000));
        rules.accept(net.faults());
        List<Delivery> got = new ArrayList<>();
        for (int node = 0; node < 4; node++) {
            int to = node;
            net.attach(node, (from, frame) -> got.add(new Delivery(events.nowMicros(), from, to, frame[0])));
        }
        for (int i = 0; i < frames; i++) {
            net.send(i % 4, (i + 1) % 4, new byte[] {(byte) i});
        }
        while (events.runNext()) {
            // drain
        }
        return got;
    }

    @Test
    void sameSeedSameDeliveries() {
        java.util.function.Consumer<NetworkFaults> rules = f -> f.loss(0.2).duplication(0.1).reorder(0.3, 50_000);
        assertEquals(run(3, rules, 200), run(3, rules, 200));
    }

    @Test
    void quietNetworkDeliversEverythingOnceWithinTheDelayRange() {
        List<Delivery> got = run(5, f -> {}, 100);
        assertEquals(100, got.size());
        assertTrue(got.stream().allMatch(d -> d.atMicros() >= 100 && d.atMicros() <= 5_000));
    }

    @Test
    void partitionCutsBothWaysAndHealRestores() {
        List<Delivery> cut = run(9, f -> f.partition(Set.of(0, 1)), 100);
        assertTrue(cut.stream().allMatch(d -> (d.from() < 2) == (d.to() < 2)), "no frame crosses the partition");
        assertEquals(100, run(9, f -> f.partition(Set.of(0, 1)).heal(), 100).size());
    }

    @Test
    void lossDuplicationAndReorderingHappen() {
        List<Delivery> got = run(11, f -> f.loss(0.3).duplication(0.3).reorder(0.5, 100_000), 120);
        long distinct = got.stream().map(Delivery::marker).distinct().count();
        assertTrue(distinct < 120, "some frames are lost: " + distinct + " of 120 arrived");
        assertTrue(got.size() > distinct, "some frames arrive twice");
        boolean overtaken = false;
        for (int i = 1; i < got.size(); i++) {
            overtaken |= got.get(i).marker() < got.get(i - 1).marker() && got.get(i).from() == got.get(i - 1).from();
        }
        assertTrue(overtaken, "some frame overtakes an earlier one from the same sender");
    }

    @Test
    void linkLossDropsOnlyThatLink() {
        List<Delivery> got = run(13, f -> f.linkLoss(0, 1, 1.0), 100);
        assertTrue(got.stream().noneMatch(d -> d.from() == 0 && d.to() == 1));
        assertEquals(75, got.size());
    }
}
