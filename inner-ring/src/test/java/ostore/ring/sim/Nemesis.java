package ostore.ring.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Injects the scenario's crashes (some losing the disk, in runs that wipe) and partitions during
 * the fault phase, at random times drawn from the seed. It keeps the number of faulty replicas (Byzantine, Twins, crashed) at most f:
 * beyond that the ring owes nobody anything, and a run that tests more says so in its scenario.
 */
final class Nemesis {
    private static final long INTERVAL_MIN_MICROS = 50_000;
    private static final long INTERVAL_MAX_MICROS = 400_000;

    private final Scenario scenario;
    private final World world;
    private final EventQueue events;
    private final SplittableRandom random;
    private final Trace trace;
    private boolean stopped;

    Nemesis(Scenario scenario, World world, EventQueue events, SplittableRandom random, Trace trace) {
        this.trace = trace;
        this.scenario = scenario;
        this.world = world;
        this.events = events;
        this.random = random;
    }

    void start() {
        if (scenario.crashes() || scenario.partitions()) {
            schedule();
        }
    }

    void stop() {
        stopped = true;
    }

    private void schedule() {
        events.after(random.nextLong(INTERVAL_MIN_MICROS, INTERVAL_MAX_MICROS), "nemesis", this::act);
    }

    private void act() {
        if (stopped) {
            return;
        }
        List<Runnable> choices = new ArrayList<>();
        if (scenario.crashes()) {
            List<SimReplicaHost> up = world.correctHosts().stream().filter(SimReplicaHost::up).toList();
            List<SimReplicaHost> down = world.correctHosts().stream().filter(h -> !h.up()).toList();
            if (scenario.permanentFaults() + down.size() < scenario.f() && !up.isEmpty()) {
                choices.add(() -> crash(up.get(random.nextInt(up.size()))));
            }
            if (!down.isEmpty()) {
                choices.add(() -> restart(down.get(random.nextInt(down.size()))));
            }
        }
        if (scenario.partitions()) {
            choices.add(this::partition);
            choices.add(() -> {
                note("nemesis heal partition");
                world.network().faults().partition(List.of());
            });
        }
        if (!choices.isEmpty()) {
            choices.get(random.nextInt(choices.size())).run();
        }
        schedule();
    }

    // Faults act at once, inside the nemesis event, so the budget they were checked against still holds.
    private void crash(SimReplicaHost h) {
        note("nemesis crash " + h.name());
        h.crash();
        if (scenario.wipes() && random.nextBoolean()) {
            note("nemesis wipe " + h.name());
            h.wipe();
        } else if (scenario.storageFaults() && random.nextBoolean()) {
            h.damageLog(random).ifPresent(what -> note("nemesis damages " + h.name() + "'s log at " + what));
        }
    }

    private void restart(SimReplicaHost h) {
        note("nemesis restart " + h.name());
        h.start();
    }

    private void note(String what) {
        trace.record(events.nowMicros(), what);
    }

    /** Cuts a random minority of replicas off from everyone else, clients included. */
    private void partition() {
        int n = scenario.replicas();
        List<Integer> island = new ArrayList<>();
        int size = 1 + random.nextInt(Math.max(1, (n - 1) / 2));
        while (island.size() < size) {
            int r = random.nextInt(n);
            if (!island.contains(r)) {
                island.add(r);
            }
        }
        island.sort(Integer::compare);
        note("nemesis partition " + island);
        world.network().faults().partition(island);
    }
}
