package ostore.store.rocks;

import static ostore.store.testing.Updates.AGUID;
import static ostore.store.testing.Updates.OWNER;
import static ostore.store.testing.Updates.always;
import static ostore.store.testing.Updates.create;
import static ostore.store.testing.Updates.data;
import static ostore.store.testing.Updates.update;
import static ostore.store.testing.Updates.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Vguid;
import ostore.store.Action;
import ostore.store.AuthenticatedUpdate;
import ostore.store.Comparison;
import ostore.store.Limits;
import ostore.store.Outcome;
import ostore.store.Predicate;
import ostore.store.Selector;
import ostore.store.StoredVersion;
import ostore.store.testing.TempDirs;

/** Random update sequences against the RocksDB store, checked against a plain list-of-blocks model. */
class VersionStorePropertiesTest {
    private static final int BLOCK = 8;
    private static final Limits LIMITS = new Limits(BLOCK, 1 << 20, 8, 8, 8, 1 << 20);
    /** Every step updates one object, so all of them share its color. */
    private static final int COLOR = 0;

    /** A model block: {@code id} is the same object as long as no action rewrote it. */
    private record Blk(byte[] bytes, int id) {}

    /** kind picks the action; a and b pick indexes and sizes relative to the model's state. */
    record Step(int kind, int a, int b, int fill, boolean guardMisses) {}

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 40),
                Arbitraries.integers().between(0, 3 * BLOCK), Arbitraries.integers().between(0, 255),
                Arbitraries.of(false, false, false, true)).as(Step::new);
    }

    @Property(tries = 60)
    void storeMatchesTheModel(@ForAll @Size(min = 1, max = 14) List<@net.jqwik.api.From("steps") Step> steps) {
        withStore(store -> {
            List<List<Blk>> model = new ArrayList<>();
            Map<Integer, BlockListHash.Entry> entryOfBlock = new HashMap<>();
            int[] nextId = {0};
            long historyLength = 0;
            for (int i = 0; i < steps.size(); i++) {
                List<Blk> current = model.isEmpty() ? List.of() : model.getLast();
                List<Blk> next = new ArrayList<>(current);
                Action action = toAction(steps.get(i), next, nextId);
                AuthenticatedUpdate u = toUpdate(i, steps.get(i), model.size(), action);
                Outcome o = store.apply(u, 10L * i, COLOR, i);
                historyLength += checkOutcome(store, o, model, next, action != null, steps.get(i).guardMisses());
                if (o instanceof Outcome.Committed c) {
                    checkShared(c.version(), next, entryOfBlock);
                }
                assertEquals(historyLength, store.history(AGUID, 0, 0).size());
            }
            checkAllVersions(store, model);
        });
    }

    @Property(tries = 25)
    void twoStoresFedTheSameUpdatesAgree(@ForAll @Size(min = 1, max = 10) List<@net.jqwik.api.From("steps") Step> steps) {
        List<List<Vguid>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            withStore(store -> {
                List<List<Blk>> model = new ArrayList<>();
                int[] nextId = {0};
                for (int i = 0; i < steps.size(); i++) {
                    List<Blk> next = new ArrayList<>(model.isEmpty() ? List.of() : model.getLast());
                    Action action = toAction(steps.get(i), next, nextId);
                    if (store.apply(toUpdate(i, steps.get(i), model.size(), action), 10L * i, COLOR, i)
                            instanceof Outcome.Committed) {
                        model.add(next);
                    }
                }
                runs.add(Stream.iterate(1L, s -> s <= model.size(), s -> s + 1)
                        .map(s -> store.read(AGUID, new Selector.BySeq(s)).orElseThrow().vguid()).toList());
            });
        }
        assertEquals(runs.get(0), runs.get(1));
    }

    /**
     * Applies the step to the model list and returns the action; null if the action must be
     * rejected (index or size out of range), in which case the model list is left meaningless.
     */
    private static Action toAction(Step s, List<Blk> blocks, int[] nextId) {
        int count = blocks.size();
        long size = blocks.stream().mapToLong(b -> b.bytes().length).sum();
        byte[] bytes = data(Math.min(s.b(), BLOCK), s.fill()).bytes();
        int index = count == 0 ? s.a() % 2 : s.a() % (count + 2);
        return switch (s.kind()) {
            case 0 -> {
                byte[] all = data(s.b(), s.fill()).bytes();
                for (int from = 0; from < all.length; from += BLOCK) {
                    blocks.add(new Blk(java.util.Arrays.copyOfRange(all, from, Math.min(all.length, from + BLOCK)), nextId[0]++));
                }
                yield new Action.Append(Action.Data.of(all));
            }
            case 1 -> index >= count ? null : replace(blocks, index, new Blk(bytes, nextId[0]++));
            case 2 -> index > count ? null : insert(blocks, index, new Blk(bytes, nextId[0]++));
            case 3 -> index >= count ? null : delete(blocks, index);
            default -> {
                long target = size == 0 ? s.a() % 2 : s.a() % (size + 2);
                yield target > size ? null : truncate(blocks, target, size, nextId);
            }
        };
    }

    private static Action replace(List<Blk> blocks, int index, Blk b) {
        blocks.set(index, b);
        return new Action.ReplaceBlock(index, Action.Data.of(b.bytes()));
    }

    private static Action insert(List<Blk> blocks, int index, Blk b) {
        blocks.add(index, b);
        return new Action.InsertBlock(index, Action.Data.of(b.bytes()));
    }

    private static Action delete(List<Blk> blocks, int index) {
        blocks.remove(index);
        return new Action.DeleteBlock(index);
    }

    /** Keeps the blocks that start before the target (all of them if it is the size), cut to fit. */
    private static Action truncate(List<Blk> blocks, long target, long size, int[] nextId) {
        if (target < size) {
            List<Blk> kept = new ArrayList<>();
            long start = 0;
            for (Blk b : blocks) {
                if (start >= target) {
                    break;
                }
                long keep = Math.min(b.bytes().length, target - start);
                kept.add(keep == b.bytes().length ? b : new Blk(java.util.Arrays.copyOf(b.bytes(), (int) keep), nextId[0]++));
                start += b.bytes().length;
            }
            blocks.clear();
            blocks.addAll(kept);
        }
        return new Action.Truncate(target);
    }

    /** An out-of-range action is replaced by an index that is always out of range, to test rejects. */
    private static AuthenticatedUpdate toUpdate(int i, Step s, int seq, Action action) {
        Action sent = action != null ? action : new Action.DeleteBlock(Integer.MAX_VALUE);
        Predicate guard = new Predicate.CompareVersion(Comparison.EQ, s.guardMisses() ? seq + 1 : seq);
        return seq == 0 ? create(i, when(guard, sent)) : update(OWNER, i, when(guard, sent));
    }

    /** Checks one outcome against the model and records a commit; returns the history growth. */
    private static long checkOutcome(RocksVersionStore store, Outcome o, List<List<Blk>> model, List<Blk> next,
            boolean valid, boolean guardMisses) {
        Optional<StoredVersion> latest = store.read(AGUID, new Selector.Latest());
        if (guardMisses && !model.isEmpty()) {
            assertEquals(Outcome.Aborted.class, o.getClass());
        } else if (guardMisses || !valid) {
            assertEquals(Outcome.Rejected.class, o.getClass(), o.toString());
        } else {
            StoredVersion v = ((Outcome.Committed) o).version();
            assertEquals(model.size() + 1, v.root().seq());
            assertEquals(model.isEmpty() ? Optional.empty() : Optional.of(
                    store.read(AGUID, new Selector.BySeq(model.size())).orElseThrow().vguid()), v.root().predecessor());
            model.add(next);
        }
        assertEquals(model.size(), latest.map(v -> v.root().seq()).orElse(0L));
        return o instanceof Outcome.Rejected ? 0 : 1;
    }

    /** A model block carried over unchanged must keep the very entry (BGUID) it first had. */
    private static void checkShared(StoredVersion v, List<Blk> blocks, Map<Integer, BlockListHash.Entry> entryOfBlock) {
        for (int i = 0; i < blocks.size(); i++) {
            BlockListHash.Entry first = entryOfBlock.putIfAbsent(blocks.get(i).id(), v.blocks().get(i));
            if (first != null) {
                assertEquals(first, v.blocks().get(i));
            }
        }
    }

    private static void checkAllVersions(RocksVersionStore store, List<List<Blk>> model) {
        Optional<Vguid> previous = Optional.empty();
        for (int s = 1; s <= model.size(); s++) {
            StoredVersion v = store.read(AGUID, new Selector.BySeq(s)).orElseThrow();
            assertEquals(v.root().vguid(), v.vguid());
            assertEquals(previous, v.root().predecessor());
            assertEquals(Optional.of(v), store.read(AGUID, new Selector.ByVguid(v.vguid())));
            List<Blk> expected = model.get(s - 1);
            assertEquals(expected.size(), v.blocks().size());
            for (int i = 0; i < expected.size(); i++) {
                Bguid name = v.blocks().get(i).bguid();
                assertArrayEquals(expected.get(i).bytes(), store.block(name).orElseThrow());
                assertEquals(Bguid.ofBlock(expected.get(i).bytes()), name);
            }
            previous = Optional.of(v.vguid());
        }
    }

    private static void withStore(java.util.function.Consumer<RocksVersionStore> body) {
        TempDirs.withTempDir("ostore-store-prop", dir -> {
            try (RocksVersionStore store = RocksVersionStore.open(dir, LIMITS)) {
                body.accept(store);
            }
        });
    }
}
