package ostore.archive.codec;

/**
 * The per-byte hot loop of the codec: multiplies a matrix of GF(256) coefficients by a column of
 * input shards. Encoding and decoding differ only in the coefficients, so one loop serves both, and
 * variants (table lookups, vector shuffles) can be swapped and benchmarked behind this interface.
 *
 * <p>Implementations are thread-safe; any state is a cache of tables derived from coefficients,
 * checked against them on every call. The caller has checked every bound; a loop
 * trusts its arguments.
 */
public interface CodingLoop {
    /** A short name for logs and benchmarks, e.g. {@code "byte-table"}. */
    String name();

    /**
     * Sets {@code outputs[r][outputOffset + i] = sum over c of coefficients[r][c] * inputs[c][inputOffset + i]}
     * for every r, and i in {@code [0, length)}. Outputs are overwritten, never accumulated into.
     *
     * @param coefficients one row per output, one column per input
     * @param inputs the shards read; never written, and none of them is also an output
     * @param outputs the shards written
     */
    void code(byte[][] coefficients, byte[][] inputs, int inputOffset, byte[][] outputs, int outputOffset,
            int length);
}
