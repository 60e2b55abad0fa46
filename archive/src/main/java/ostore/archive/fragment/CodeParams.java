package ostore.archive.fragment;

import ostore.archive.store.FragmentStore;

/**
 * How a version's bytes are erasure-coded: the code, k data and m parity shards per stripe, and
 * the largest shard. A stripe holds up to {@code k * shardBytes} bytes of data; the last stripe of a
 * version is shorter and its shards are {@code ceil(data / k)} bytes, so a 1-byte version costs k+m
 * fragments of one byte each, not of {@code shardBytes}.
 *
 * @param codeId {@link #REED_SOLOMON_CAUCHY}, the only code so far; stored in every fragment and
 *     manifest so another code can be added without guessing
 * @param dataShards k, at least 1
 * @param parityShards m, at least 0, with k + m at most 256
 * @param shardBytes the largest shard; a stripe's data, k times this, is at most 1 GiB
 */
public record CodeParams(int codeId, int dataShards, int parityShards, int shardBytes) {
    /** Systematic Reed-Solomon over GF(256) with ISA-L's Cauchy generator ({@code ostore.archive.codec}). */
    public static final int REED_SOLOMON_CAUCHY = 1;
    /** The largest stripe (k times the shard size). */
    public static final long MAX_STRIPE_BYTES = 1L << 30;
    /**
     * The default code: RS(6, 3) with 1 MiB shards (6 MiB stripes); see docs/architecture.md
     * ("Archive: fragments, manifests, placement, restore") for why.
     */
    public static final CodeParams DEFAULT = new CodeParams(REED_SOLOMON_CAUCHY, 6, 3, 1 << 20);

    public CodeParams {
        if (codeId != REED_SOLOMON_CAUCHY) {
            throw new IllegalArgumentException("code id (" + codeId + ") must be " + REED_SOLOMON_CAUCHY);
        }
        if (dataShards < 1 || parityShards < 0 || dataShards + parityShards > 256) {
            throw new IllegalArgumentException("k (" + dataShards + ") must be >= 1, m (" + parityShards
                    + ") >= 0 and k + m <= 256");
        }
        if (shardBytes < 1 || shardBytes > FragmentStore.MAX_OBJECT_BYTES - Fragment.HEADER_BYTES) {
            throw new IllegalArgumentException("shardBytes (" + shardBytes + ") must be 1.."
                    + (FragmentStore.MAX_OBJECT_BYTES - Fragment.HEADER_BYTES));
        }
        if ((long) dataShards * shardBytes > MAX_STRIPE_BYTES) {
            throw new IllegalArgumentException("a stripe of k (" + dataShards + ") x shardBytes (" + shardBytes
                    + ") exceeds " + MAX_STRIPE_BYTES + " bytes");
        }
    }

    /** k + m, the fragments per stripe. */
    public int totalShards() {
        return dataShards + parityShards;
    }

    /** The data bytes of a full stripe. */
    public int stripeBytes() {
        return dataShards * shardBytes;
    }

    /** How many stripes {@code bytes} of data take. */
    public long stripeCount(long bytes) {
        return bytes == 0 ? 0 : (bytes - 1) / stripeBytes() + 1;
    }

    /** The data bytes in stripe {@code stripe} of {@code bytes} in all. */
    public int stripeDataBytes(long bytes, long stripe) {
        return (int) Math.min(stripeBytes(), bytes - stripe * stripeBytes());
    }

    /** The shard length of a stripe holding {@code stripeDataBytes}: the data spread over k shards. */
    public int shardLength(int stripeDataBytes) {
        return (stripeDataBytes + dataShards - 1) / dataShards;
    }
}
