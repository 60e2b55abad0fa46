package ostore.ring.bft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import ostore.ring.log.LogEntry;
import ostore.ring.log.SharedLog;

/**
 * What a replica writes to its own shared log so that after a crash it neither forgets what it
 * promised (and so equivocates) nor loses a committed batch. Every record is durable before the
 * message that depends on it is sent (the hot path appends without waiting and gates what it sends
 * on the append, see {@link #appendPipelined}). Ring color c uses log color c; the view lives in log color
 * {@code colors} (the control color). The records and their encoding are {@link LogRecords}'.
 */
final class ReplicaLog {
    private static final int READ_BATCH = 512;
    /**
     * Bytes one append of many records takes at most ({@link #appendBoundedPipelined}), and at most
     * a sixteenth of a log with a capacity; a single record larger than this goes alone. A log store
     * places one append in one piece (llpl: one extent), so a rewrite written as one append could
     * need more contiguous room than a nearly full log has, where the same records in pieces fit the
     * extents' free ends.
     */
    static final int MAX_APPEND_BYTES = 4 << 20;

    /*
     * How a log with a capacity (llpl's pool) is shared out, so that it never fills with what
     * cannot free it: past each share of the capacity, counting what is queued, one more kind of
     * record stops being written ({@link #roomFor}). What stays below the last share is for the
     * records that order, execute and checkpoint what the replica holds, and with them the trims
     * that free space. A log only the disk bounds (the segment log) has no shares; a full disk
     * holds every append until space comes back (the log's waitingForRoom), and so does a store
     * that fills despite the shares.
     */
    /** Past this share the replica takes no new client update (its edge refuses them: retry later). */
    static final double ADMIT_SHARE = 0.75;
    /** Past this share it logs no update at all, not even one a batch orders: it catches up later. */
    static final double TAKE_SHARE = 0.875;
    /** Past this share a checkpoint copies no record up to let its trim free the log's oldest space. */
    static final double MOVE_SHARE = 0.9375;
    /**
     * Past this share the replica takes no part in ordering a new batch ({@code Agreement}): the
     * last thirty-second is kept for the checkpoint record whose durability a trim waits for, and
     * for view records, so a log never fills with what cannot free it.
     */
    static final double VOTE_SHARE = 0.96875;

    private final SharedLog log;
    private final RingConfig config;
    /** {@link #MAX_APPEND_BYTES}, or a sixteenth of the log's capacity if less. */
    private final long maxAppendBytes;
    /** Tags handed out by {@link #appendPipelined}; the replica's thread only. */
    private long issued;
    /** The highest tag known durable; written by the log's completing thread. */
    private final AtomicLong durable = new AtomicLong();
    /** See {@link #unsyncedBytes()}. */
    private final AtomicLong unsynced = new AtomicLong();
    /**
     * When (System.nanoTime) each append queued without waiting was queued, oldest first; the head
     * leaves as each completes (they complete in the order queued). Statistics for the driver's
     * stall watchdog ({@link #unsyncedSinceNanos}); never read by the protocol.
     */
    private final ConcurrentLinkedQueue<Long> queuedAt = new ConcurrentLinkedQueue<>();
    /** As {@link #queuedAt}, for trims asked for and not done ({@link SharedLog#trimAsync} does them in order). */
    private final ConcurrentLinkedQueue<Long> trimQueuedAt = new ConcurrentLinkedQueue<>();
    private volatile Throwable failure;
    private volatile Runnable onDurable = () -> { };
    /**
     * The position the next record of each color takes: the log numbers a color's records densely
     * in the order they are queued, and this replica's thread is the only one appending, so the
     * position is known when the record is queued (each completed append checks it).
     */
    private final long[] next;
    /** Bytes of records this replica appended, all colors together, since it started. */
    private long appendedBytes;
    /** {@link #appendedBytes} when each color was last trimmed (or when this replica started). */
    private final long[] trimmedAtBytes;
    /** Trims waiting for the records that replace what they drop to be durable, in the order asked. */
    private final ArrayDeque<PendingTrim> trims = new ArrayDeque<>();
    /** The last VIEW and NEW-VIEW records of the control color: what {@link #compactControl} keeps. */
    private byte[] lastView;
    private byte[] lastStarted;

    private record PendingTrim(int color, long upTo, long tag) {}

    ReplicaLog(SharedLog log, RingConfig config) {
        if (log.colors() < config.colors() + 1) {
            throw new IllegalArgumentException("the shared log has " + log.colors() + " colors; a ring of "
                    + config.colors() + " colors needs " + (config.colors() + 1) + " (one for the view)");
        }
        this.log = log;
        this.config = config;
        this.next = new long[config.colors() + 1];
        for (int c = 0; c < next.length; c++) {
            next[c] = log.nextPosition(c);
        }
        this.trimmedAtBytes = new long[config.colors() + 1];
        this.maxAppendBytes = Math.min(MAX_APPEND_BYTES, Math.max(1, log.capacityBytes() / 16));
    }

    /** Whether {@code color} holds records in the log's oldest unit of space ({@link SharedLog#holdsOldest}). */
    boolean holdsOldest(int color) {
        return log.holdsOldest(color);
    }

    /**
     * Whether {@code color} holds records in the log's oldest unit of space and has not been
     * trimmed while at least {@code bytes} were appended: its oldest records then keep the log from
     * freeing the space below them (the log frees space only below every color's first record), so
     * they should move up. A color whose records lie above the oldest unit is left where it is:
     * moving it would copy its records (a quiet color's kept history, payloads and all) at every
     * checkpoint of another color, to free nothing.
     */
    boolean lagging(int color, long bytes) {
        return log.firstPosition(color) < next[color] && appendedBytes - trimmedAtBytes[color] >= bytes
                && log.holdsOldest(color);
    }

    /**
     * Keeps only the last VIEW and the last NEW-VIEW record of the control color, appended again
     * at its end, and trims the rest once they are durable: what {@link Recovery} reads from them
     * stays the same. Does not wait.
     */
    void compactControl() {
        List<byte[]> keep = new ArrayList<>();
        if (lastStarted != null) {
            keep.add(lastStarted);
        }
        if (lastView != null) {
            keep.add(lastView);
        }
        if (!keep.isEmpty()) {
            rewriteLater(controlColor(), keep);
        }
    }

    /**
     * Logs that the replica asks for or is in {@code view} ({@code changing} while it waits for the
     * NEW-VIEW), without waiting: whatever it sends after this waits for the record (the gate).
     */
    void appendView(long view, boolean changing) {
        lastView = LogRecords.view(view, changing);
        appendPipelined(controlColor(), lastView);
    }

    /**
     * Logs the NEW-VIEW {@code nv} that starts its view, and that the replica is in that view, in
     * one append, without waiting; once that is durable the control color below it is trimmed:
     * those two records are all {@link #compactControl} would keep, so every view change that
     * completes frees the control color's old records (a view change a minute would otherwise keep
     * the log's oldest space until a compaction).
     */
    void appendNewView(Signed<Message.NewView> nv) {
        lastStarted = LogRecords.newView(nv);
        lastView = LogRecords.view(nv.message().view(), false);
        checkHealthy();
        long tag = ++issued;
        List<byte[]> records = List.of(lastStarted, lastView);
        long expected = take(controlColor(), records);
        track(log.appendAsync(controlColor(), records), expected, tag, lastStarted.length + lastView.length);
        trimWhenDurable(controlColor(), expected, tag);
    }

    /** Recovery read the control color: its last VIEW and NEW-VIEW records are the ones {@link #compactControl} keeps. */
    void restoreControl(LogRecords.View view, Signed<Message.NewView> started) {
        lastView = view == null ? null : LogRecords.view(view.view(), view.changing());
        lastStarted = started == null ? null : LogRecords.newView(started);
    }

    /**
     * Whether {@code bytes} more fit within {@code share} of the log's capacity, counting what the
     * store holds and what is queued for it; never while appends wait for room ({@link
     * #waitingForRoom}), and otherwise always for a log only the disk bounds. Thread-safe: the
     * driver asks before it takes a client's update, the replica before it logs a payload.
     */
    boolean roomFor(long bytes, double share) {
        if (log.waitingForRoom().isPresent()) {
            return false;
        }
        long capacity = log.capacityBytes();
        return capacity == Long.MAX_VALUE || bytesTaken() + bytes <= capacity * share;
    }

    /** What the log's store takes now ({@link SharedLog#bytesUsed}) and what is queued for it. Thread-safe. */
    long bytesTaken() {
        return log.bytesUsed() + unsynced.get();
    }

    /** Why appends wait for room now ({@link SharedLog#waitingForRoom}), if they do. Thread-safe. */
    Optional<String> waitingForRoom() {
        return log.waitingForRoom();
    }

    /**
     * Why the replica takes no new client updates for want of log space, if it does not: its log is
     * past {@link #ADMIT_SHARE} of its capacity, or full and waiting for a trim. The driver then
     * refuses them (the client retries, and the other replicas may take them) while the replica
     * keeps ordering, executing and checkpointing what it holds until a checkpoint's trim frees
     * space; what is left is kept for the records that order, execute and checkpoint, and for the
     * moves that let a trim free space. Thread-safe.
     */
    Optional<String> admissionRefusal() {
        if (waitingForRoom().isPresent()) {
            return Optional.of("its log is full (" + fill() + ") and waits for a checkpoint to trim it");
        }
        if (!roomFor(0, ADMIT_SHARE)) {
            return Optional.of("its log is over three quarters full (" + fill() + ") until a checkpoint trims it");
        }
        return Optional.empty();
    }

    /** How full the log is, counting appends queued for it, for a log line ("X of Y MiB"). */
    String fill() {
        boolean small = capacityBytes() < 16L << 20; // a test's log: KiB, so the figures say something
        int shift = small ? 10 : 20;
        return (bytesTaken() >> shift) + " of " + (capacityBytes() >> shift) + (small ? " KiB" : " MiB");
    }

    /** The log's capacity in bytes ({@link Long#MAX_VALUE} if only the disk bounds it). */
    long capacityBytes() {
        return log.capacityBytes();
    }

    /** The position the next record appended to {@code color} will have. */
    long nextPosition(int color) {
        return next[color];
    }

    /** Takes {@code count} positions of {@code color}; @return the first */
    private long take(int color, List<byte[]> records) {
        long first = next[color];
        next[color] += records.size();
        for (byte[] r : records) {
            appendedBytes += r.length;
        }
        return first;
    }

    int controlColor() {
        return config.colors();
    }

    /**
     * Appends {@code record} without waiting: the returned tag is durable once {@link #isDurable}
     * says so. Tags grow with every call and become durable in the order they were issued, since
     * the log makes its appends durable in the order they were queued. Whatever the replica sends
     * after this call waits for the tag ({@link Replica}'s output gate), so the rule "durable
     * before the message that depends on it is sent" holds while one fdatasync covers many records.
     *
     * @throws IllegalStateException if an earlier append failed: the replica must stop
     */
    long appendPipelined(int color, byte[] record) {
        checkHealthy();
        long tag = ++issued;
        long expected = take(color, List.of(record));
        track(log.appendAsync(color, List.of(record)), expected, tag, record.length);
        return tag;
    }

    /**
     * {@link #appendPipelined} for a record about batch {@code seqno} of {@code lane}, noting where
     * it lands ({@link Lane#noteRecord}) so that checkpoints keep it while the batch is needed.
     */
    long appendAbout(Lane lane, long seqno, byte[] record) {
        lane.positions().noteRecord(seqno, next[lane.color]);
        return appendPipelined(lane.color, record);
    }

    /**
     * Appends {@code record} without waiting and without gating anything on it: for records that
     * only spare work after a crash (EXECUTED, which re-execution recomputes byte for byte).
     */
    void appendUngated(int color, byte[] record) {
        checkHealthy();
        long expected = take(color, List.of(record));
        track(log.appendAsync(color, List.of(record)), expected, 0, record.length);
    }

    private void track(CompletableFuture<Long> appended, long expected, long tag, long bytes) {
        unsynced.addAndGet(bytes);
        queuedAt.add(System.nanoTime());
        appended.whenComplete((position, error) -> {
            queuedAt.poll();
            unsynced.addAndGet(-bytes);
            if (error != null) {
                failure = error;
            } else if (position != expected) {
                failure = new IllegalStateException("a log append landed at position " + position + ", not the expected "
                        + expected + ": something else appends to this replica's log");
            } else if (tag > 0) {
                durable.accumulateAndGet(tag, Math::max);
            }
            onDurable.run();
        });
    }

    /**
     * Bytes of records appended without waiting and not yet durable (or failed). Thread-safe: the
     * replica's driver reads it to stop taking new client updates while the disk lags.
     */
    long unsyncedBytes() {
        return unsynced.get();
    }

    /**
     * When (System.nanoTime) the oldest append queued without waiting that is not complete yet was
     * queued (or appends went on after waiting for room, if that is later; none counts while appends
     * wait for room), or the oldest trim not done was asked for, whichever is earlier; empty if
     * nothing is incomplete. Thread-safe: the driver's stall watchdog reads it.
     */
    OptionalLong unsyncedSinceNanos() {
        Long trimAt = trimQueuedAt.peek();
        Long at = queuedAt.peek();
        // Waiting for a trim to give room back is not a hung disk: the store answered.
        long appendAt = at == null || log.waitingForRoom().isPresent() ? Long.MAX_VALUE
                : Math.max(at, log.resumedAtNanos());
        long since = Math.min(appendAt, trimAt == null ? Long.MAX_VALUE : trimAt);
        return since == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(since);
    }

    /** The tag of the last {@link #appendPipelined}, 0 before the first. */
    long issued() {
        return issued;
    }

    /** Whether the append that returned {@code tag} (and every one before it) is durable. */
    boolean isDurable(long tag) {
        checkHealthy();
        return tag <= durable.get();
    }

    /**
     * Sets what to call, on whichever thread completed the write, when a pipelined append becomes
     * durable or fails. It must be thread-safe and must not block.
     */
    void onDurable(Runnable listener) {
        this.onDurable = Objects.requireNonNull(listener, "listener");
    }

    private void checkHealthy() {
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("a replica log append failed, so the replica stops: " + f, f);
        }
    }

    /**
     * Appends {@code records} to {@code color} in order, without waiting, in appends of at most
     * {@link #MAX_APPEND_BYTES} each, less in a small log (a single larger record goes alone): for what a crash part-way
     * may leave half written, because the records it replaces stay until a later trim (a
     * checkpoint's re-appended records, a rewrite); recovery reads a record and its earlier copy
     * alike. The pieces are queued in order (each one append, all or nothing at a crash) and the
     * returned tag, like {@link #appendPipelined}'s, is durable once the last piece (and so every
     * one before it) is.
     *
     * @return the position of the first record and the tag of the last piece
     */
    Appended appendBoundedPipelined(int color, List<byte[]> records) {
        checkHealthy();
        long first = next[color];
        List<byte[]> piece = new ArrayList<>();
        long bytes = 0;
        for (byte[] r : records) {
            if (!piece.isEmpty() && bytes + r.length > maxAppendBytes) {
                queuePiece(color, piece, bytes);
                piece = new ArrayList<>();
                bytes = 0;
            }
            piece.add(r);
            bytes += r.length;
        }
        if (!piece.isEmpty()) {
            queuePiece(color, piece, bytes);
        }
        return new Appended(first, issued);
    }

    /** Where {@link #appendBoundedPipelined} put its records, and the tag that says they are durable. */
    record Appended(long first, long tag) {}

    private void queuePiece(int color, List<byte[]> piece, long bytes) {
        long tag = ++issued;
        long expected = take(color, piece);
        track(log.appendAsync(color, List.copyOf(piece)), expected, tag, bytes);
    }

    /**
     * Drops {@code color}'s records below {@code upTo} without waiting (those at and above it stay
     * where they are): the log does it on its own thread, after the group commit it may be writing.
     * A trim that fails stops the replica, as a failed append does.
     */
    void trim(int color, long upTo) {
        trimmedAtBytes[color] = appendedBytes;
        trimQueuedAt.add(System.nanoTime());
        log.trimAsync(color, upTo).whenComplete((ignored, error) -> {
            trimQueuedAt.poll();
            if (error != null) {
                failure = error;
                onDurable.run();
            }
        });
    }

    /**
     * Drops {@code color}'s records below {@code upTo} once the append that returned {@code tag}
     * is durable: at once if it is ({@link #trimDurable} runs the rest as appends complete).
     */
    void trimWhenDurable(int color, long upTo, long tag) {
        // Counts as trimmed from now on (see lagging): the records it keeps are queued already.
        trimmedAtBytes[color] = appendedBytes;
        trims.add(new PendingTrim(color, upTo, tag));
        trimDurable();
    }

    /** Runs the trims whose records are durable now. The replica's thread only, after {@link #onDurable}'s call. */
    void trimDurable() {
        while (!trims.isEmpty() && isDurable(trims.peek().tag())) {
            PendingTrim t = trims.poll();
            trim(t.color(), t.upTo());
        }
    }

    /**
     * Replaces everything in {@code color} with {@code records} without waiting: they are appended
     * in bounded pieces ({@link #appendBoundedPipelined}) and the log below them is trimmed once
     * they are all durable, so a crash in between leaves the old records and some or all of the
     * new copy, which recovery tolerates.
     *
     * @return where the records went, and the tag that is durable once all of them are
     */
    Appended rewriteLater(int color, List<byte[]> records) {
        SafetyViolation.check(!records.isEmpty(), () -> "a rewrite of log color " + color + " with no records");
        Appended appended = appendBoundedPipelined(color, records);
        trimWhenDurable(color, appended.first(), appended.tag());
        return appended;
    }

    /** A record read back, with its position in the log. */
    record Logged(long position, LogRecords.Record record) {}

    /** Every record of {@code color} still in the log, in order. */
    List<Logged> readAll(int color) {
        List<Logged> out = new ArrayList<>();
        for (long p = log.firstPosition(color); p < log.nextPosition(color); ) {
            for (LogEntry e : log.read(color, p, READ_BATCH)) {
                out.add(new Logged(e.position(), LogRecords.decode(config, color, e.payload())));
                p = e.position() + 1;
            }
        }
        return out;
    }

}
