package ostore.ring.bft;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import ostore.ring.log.LogEntry;
import ostore.ring.log.SharedLog;
import ostore.ring.log.Subscription;
import ostore.ring.log.TrimmedPositionException;

/** A shared log in memory whose every append is durable at once, unless a test holds it: the replica tests' disk. */
final class MemorySharedLog implements SharedLog {
    private final List<List<byte[]>> records = new ArrayList<>();
    private final long[] first;
    private final int maxRecordBytes;
    private final long capacityBytes;
    /** Whether appends wait for {@link #release} to be durable, and the completions they wait for. */
    private boolean holding;
    private final List<Runnable> held = new ArrayList<>();

    MemorySharedLog(int colors) {
        this(colors, 1 << 24);
    }

    /** A log whose records hold at most {@code maxRecordBytes}, as a small log pool's do. */
    MemorySharedLog(int colors, int maxRecordBytes) {
        this(colors, maxRecordBytes, Long.MAX_VALUE);
    }

    /**
     * A log of {@code capacityBytes}: the records it holds count against it byte for byte (no
     * extents), and an append that would pass it fails as a full store's does.
     */
    MemorySharedLog(int colors, int maxRecordBytes, long capacityBytes) {
        this.maxRecordBytes = maxRecordBytes;
        this.capacityBytes = capacityBytes;
        first = new long[colors];
        for (int c = 0; c < colors; c++) {
            records.add(new ArrayList<>());
        }
    }

    @Override
    public int colors() {
        return first.length;
    }

    @Override
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    @Override
    public long capacityBytes() {
        return capacityBytes;
    }

    @Override
    public long bytesUsed() {
        return records.stream().flatMap(List::stream).mapToLong(r -> r.length).sum();
    }

    @Override
    public long append(int color, List<byte[]> batch) {
        long bytes = batch.stream().mapToLong(b -> b.length).sum();
        if (capacityBytes != Long.MAX_VALUE && bytesUsed() + bytes > capacityBytes) {
            throw new ostore.ring.log.LogFullException("the memory log of " + capacityBytes + " bytes is full", null);
        }
        long position = nextPosition(color);
        batch.forEach(b -> records.get(color).add(b.clone()));
        return position;
    }

    @Override
    public CompletableFuture<Long> appendAsync(int color, List<byte[]> batch) {
        long position;
        try {
            position = append(color, batch);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!holding) {
            return CompletableFuture.completedFuture(position);
        }
        CompletableFuture<Long> durable = new CompletableFuture<>();
        held.add(() -> durable.complete(position));
        return durable;
    }

    /** From now on appends are written but not durable until {@link #release}: a slow disk. */
    void hold() {
        holding = true;
    }

    /** Makes every held append durable, in the order they came, and stops holding. */
    void release() {
        holding = false;
        List<Runnable> done = List.copyOf(held);
        held.clear();
        done.forEach(Runnable::run);
    }

    @Override
    public List<LogEntry> read(int color, long from, int maxRecords) {
        if (from < first[color]) {
            throw new TrimmedPositionException(color, from, first[color]);
        }
        List<LogEntry> out = new ArrayList<>();
        for (long p = from; p < nextPosition(color) && out.size() < maxRecords; p++) {
            out.add(new LogEntry(color, p, records.get(color).get((int) (p - first[color])).clone()));
        }
        return out;
    }

    @Override
    public Subscription subscribe(int color, long from, Consumer<LogEntry> consumer) {
        throw new UnsupportedOperationException("replicas read their log only at start");
    }

    @Override
    public void trim(int color, long upTo) {
        long to = Math.min(upTo, nextPosition(color));
        if (to > first[color]) {
            records.get(color).subList(0, (int) (to - first[color])).clear();
            first[color] = to;
        }
    }

    @Override
    public long firstPosition(int color) {
        return first[color];
    }

    @Override
    public long nextPosition(int color) {
        return first[color] + records.get(color).size();
    }

    /** Records currently held in {@code color}. */
    int size(int color) {
        return records.get(color).size();
    }

    @Override
    public String storeKind() {
        return "memory";
    }

    @Override
    public void close() {}
}
