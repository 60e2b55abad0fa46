package ostore.archive;

import ostore.archive.fragment.CodeParams;
import ostore.archive.fragment.Fragment;
import ostore.archive.store.FragmentStore;

/**
 * The erasure codes a restorer or scrubber accepts from a manifest. A manifest comes from storage
 * nodes, and its certificate binds only the version root, not the code: without a bound, a forged
 * manifest naming k = 1, m = 255 and 64 MiB shards would make a reader allocate about 16 GiB to
 * decode one stripe. A manifest whose code lies outside these bounds is refused like any other
 * candidate that does not verify.
 *
 * @param maxTotalShards the largest k + m accepted (at most 256, what GF(256) allows)
 * @param maxShardBytes the largest shard accepted; a decode holds k + m shards of this size
 */
public record CodeLimits(int maxTotalShards, int maxShardBytes) {
    /**
     * What a restore accepts unless told otherwise: k + m at most 32 and shards of at most 4 MiB, so
     * one stripe's decode holds at most 128 MiB. The default code ({@link CodeParams#DEFAULT}, 6 + 3
     * with 1 MiB shards) is well inside; a deployment that writes with a larger code passes its own
     * limits to {@link Restorer} and {@link Scrubber}.
     */
    public static final CodeLimits DEFAULT = new CodeLimits(32, 4 << 20);

    public CodeLimits {
        if (maxTotalShards < 1 || maxTotalShards > 256) {
            throw new IllegalArgumentException("maxTotalShards (" + maxTotalShards + ") must be 1..256");
        }
        int largest = FragmentStore.MAX_OBJECT_BYTES - Fragment.HEADER_BYTES;
        if (maxShardBytes < 1 || maxShardBytes > largest) {
            throw new IllegalArgumentException("maxShardBytes (" + maxShardBytes + ") must be 1.." + largest);
        }
    }

    /** The default limits widened to admit {@code code}, e.g. the one a deployment writes with. */
    public static CodeLimits admitting(CodeParams code) {
        return new CodeLimits(Math.max(DEFAULT.maxTotalShards, code.totalShards()),
                Math.max(DEFAULT.maxShardBytes, code.shardBytes()));
    }

    /** Null if {@code code} is allowed, else why not. */
    String refusal(CodeParams code) {
        if (code.totalShards() > maxTotalShards) {
            return "its code " + code.dataShards() + "+" + code.parityShards() + " has more than the " + maxTotalShards
                    + " shards a stripe may have here";
        }
        if (code.shardBytes() > maxShardBytes) {
            return "its code's shards of " + code.shardBytes() + " bytes exceed the " + maxShardBytes + " allowed here";
        }
        return null;
    }
}
