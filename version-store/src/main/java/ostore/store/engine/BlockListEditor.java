package ostore.store.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ostore.crypto.Acl;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash.Entry;
import ostore.crypto.PublicKey;
import ostore.store.Action;
import ostore.store.Limits;
import ostore.store.Outcome.Rejected;
import ostore.store.Outcome.Rejection;

/**
 * Applies one clause's actions, in order, to a copy of the latest block list. Blocks no action
 * touches keep their BGUIDs, so the new version shares them with its predecessor; only blocks
 * an action produces are returned as new.
 */
final class BlockListEditor {
    private final List<Entry> blocks;
    private final Map<Bguid, byte[]> newBlocks = new LinkedHashMap<>();
    private final BlockReader reader;
    private final Limits limits;
    private final PublicKey writer;
    private Acl acl;
    private long size;

    BlockListEditor(List<Entry> blocks, Acl acl, PublicKey writer, BlockReader reader, Limits limits) {
        this.blocks = new ArrayList<>(blocks);
        this.acl = acl;
        this.writer = writer;
        this.reader = reader;
        this.limits = limits;
        this.size = blocks.stream().mapToLong(Entry::length).sum();
    }

    List<Entry> blocks() {
        return blocks;
    }

    Acl acl() {
        return acl;
    }

    long size() {
        return size;
    }

    /** The bytes of blocks the applied actions created that the new version still names. */
    Map<Bguid, byte[]> newBlocks() {
        Map<Bguid, byte[]> live = new LinkedHashMap<>();
        for (Entry e : blocks) {
            byte[] bytes = newBlocks.get(e.bguid());
            if (bytes != null) {
                live.put(e.bguid(), bytes);
            }
        }
        return live;
    }

    /** Applies {@code action}; {@code path} names it in a rejection message. */
    Optional<Rejected> apply(String path, Action action) {
        Optional<Rejected> rejected = switch (action) {
            case Action.ReplaceBlock r -> replace(path + ".replace_block.index", r.index(), r.data());
            case Action.InsertBlock i -> insert(path + ".insert_block.index", i.index(), i.data());
            case Action.DeleteBlock d -> delete(path + ".delete_block.index", d.index());
            case Action.Append a -> append(a.data().bytes());
            case Action.Truncate t -> truncate(path + ".truncate.size", t.size());
            case Action.SetAcl s -> setAcl(path, s);
        };
        if (rejected.isEmpty() && blocks.size() > limits.maxBlocksPerObject()) {
            return reject(Rejection.LIMIT_EXCEEDED, path + ": block count (" + blocks.size()
                    + ") would exceed the maximum of " + limits.maxBlocksPerObject());
        }
        return rejected;
    }

    private Optional<Rejected> replace(String field, long index, Action.Data data) {
        if (index < 0 || index >= blocks.size()) {
            return outOfRange(field, index, "<");
        }
        Entry old = blocks.set((int) index, add(data.bytes()));
        size += data.length() - old.length();
        return Optional.empty();
    }

    private Optional<Rejected> insert(String field, long index, Action.Data data) {
        if (index < 0 || index > blocks.size()) {
            return outOfRange(field, index, "<=");
        }
        blocks.add((int) index, add(data.bytes()));
        size += data.length();
        return Optional.empty();
    }

    private Optional<Rejected> delete(String field, long index) {
        if (index < 0 || index >= blocks.size()) {
            return outOfRange(field, index, "<");
        }
        size -= blocks.remove((int) index).length();
        return Optional.empty();
    }

    private Optional<Rejected> append(byte[] data) {
        int max = limits.maxBlockBytes();
        for (int from = 0; from < data.length; from += max) {
            blocks.add(add(Arrays.copyOfRange(data, from, Math.min(data.length, from + max))));
        }
        size += data.length;
        return Optional.empty();
    }

    /** Keeps the blocks that start before {@code target}; the last one is cut to its prefix. */
    private Optional<Rejected> truncate(String field, long target) {
        if (target < 0 || target > size) {
            return reject(Rejection.INVALID_ACTION, field + " (" + target
                    + ") exceeds the current size (" + size + ")");
        }
        if (target == size) {
            return Optional.empty();
        }
        long start = 0;
        int kept = 0;
        while (kept < blocks.size() && start < target) {
            start += blocks.get(kept++).length();
        }
        blocks.subList(kept, blocks.size()).clear();
        if (start > target) {
            Entry last = blocks.getLast();
            int prefix = (int) (last.length() - (start - target));
            blocks.set(kept - 1, add(Arrays.copyOf(bytesOf(last.bguid()), prefix)));
        }
        size = target;
        return Optional.empty();
    }

    private Optional<Rejected> setAcl(String path, Action.SetAcl s) {
        if (!acl.owner().equals(writer)) {
            return reject(Rejection.NOT_THE_OWNER, path + ".set_acl: writer (" + writer
                    + ") is not the owner (" + acl.owner() + ")");
        }
        acl = new Acl(acl.owner(), s.writers(), s.encrypted());
        return Optional.empty();
    }

    private Entry add(byte[] bytes) {
        Bguid bguid = Bguid.ofBlock(bytes);
        newBlocks.putIfAbsent(bguid, bytes);
        return new Entry(bguid, bytes.length);
    }

    /** A block made earlier in this update is not stored yet, so look there first. */
    private byte[] bytesOf(Bguid bguid) {
        byte[] made = newBlocks.get(bguid);
        return made != null ? made : reader.read(bguid);
    }

    private Optional<Rejected> outOfRange(String field, long index, String relation) {
        return reject(Rejection.INVALID_ACTION, field + " (" + Long.toUnsignedString(index) + ") must be "
                + relation + " the block count (" + blocks.size() + ")");
    }

    private static Optional<Rejected> reject(Rejection reason, String message) {
        return Optional.of(new Rejected(reason, message));
    }
}
