package ostore.archive.codec;

/**
 * A systematic Reed-Solomon code over GF(256) with {@link #dataShards()} data and
 * {@link #parityShards()} parity shards, from the generator of ISA-L's {@code gf_gen_cauchy1_matrix}:
 * shards {@code [0, k)} hold the data unchanged and parity shard {@code k + i} is
 * {@code sum over j of 1 / ((k + i) xor j) * data[j]}. Every implementation produces the same bytes,
 * so fragments written by one decode with any other.
 *
 * <p>All methods work on the byte range {@code [offset, offset + length)} of every shard, which
 * must exist in each shard; shards must be distinct arrays. Implementations are thread-safe.
 */
public interface ErasureCodec {
    /** The number of data shards, k, at least 1. */
    int dataShards();

    /** The number of parity shards, m, at least 0; k + m is at most 256. */
    int parityShards();

    /** k + m. */
    default int totalShards() {
        return dataShards() + parityShards();
    }

    /** What computes the code, for the start-up log line, e.g. {@code "pure Java (vector-512 loop)"}. */
    String description();

    /**
     * Computes the parity shards from the data shards.
     *
     * @param shards k + m shards: data shards are read, parity shards overwritten in the range
     */
    void encodeParity(byte[][] shards, int offset, int length);

    /**
     * Whether the parity shards hold exactly the parity of the data shards in the range.
     *
     * @param shards k + m shards, none written
     */
    boolean isParityCorrect(byte[][] shards, int offset, int length);

    /**
     * Rebuilds every shard not marked present from k that are. Present shards are trusted: a
     * corrupt one yields wrong output, so verify fragments (by hash) first.
     *
     * @param shards k + m shards; the missing ones are overwritten in the range
     * @param present which shards hold good data
     * @throws TooFewShardsException if fewer than k shards are present; nothing is written then
     */
    void decodeMissing(byte[][] shards, boolean[] present, int offset, int length);

    /**
     * Like {@link #decodeMissing} but rebuilds only the missing data shards ({@code [0, k)}); missing
     * parity shards are left as they are. A reader needs the data alone, and each parity shard it
     * skips saves a full pass over the stripe.
     *
     * @throws TooFewShardsException if fewer than k shards are present; nothing is written then
     */
    default void decodeMissingData(byte[][] shards, boolean[] present, int offset, int length) {
        decodeMissing(shards, present, offset, length);
    }
}
