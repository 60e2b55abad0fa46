package ostore.archive.codec;

import java.util.Arrays;
import java.util.Optional;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The split-nibble loop on the Vector API (the method of ISA-L's assembly): a product c * b equals
 * {@code low[b & 15] ^ high[b >>> 4]}, where {@code low} and {@code high} are 16-entry tables for
 * c; a lane-wise table select (one {@code pshufb}/{@code vpermb} on x86) then multiplies a whole
 * vector of bytes at once.
 *
 * <p>Loading this class needs the {@code jdk.incubator.vector} module; {@link CodingLoops} checks
 * that it is present before touching it.
 */
public final class VectorLoop implements CodingLoop {
    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /**
     * Bytes of all inputs together handled per pass over the outputs: each output reads every
     * input again, so the block of inputs must stay in L1 (32-48 KiB on current x86).
     */
    private static final int BLOCK_BYTES = 16 * 1024;

    /**
     * The tables of the last coefficients seen. A codec passes the same coefficients call after
     * call (its parity rows, or a cached decode plan), and at 4 KiB shards building the tables
     * costs as much as the coding; the cache is checked by content, so it can never be stale.
     */
    private volatile Tables last;

    private record Tables(byte[][] coefficients, byte[] nibbles) {}

    /**
     * @throws IllegalStateException if this JVM's preferred vectors hold fewer than 16 bytes,
     *     too few for a 16-entry table
     */
    public VectorLoop() {
        problem().ifPresent(p -> {
            throw new IllegalStateException(p);
        });
    }

    /** Why the loop cannot run on this machine, or empty if it can. */
    static Optional<String> problem() {
        return LANES >= 16 ? Optional.empty()
                : Optional.of("preferred byte vectors have " + LANES + " lanes, 16 needed for nibble tables");
    }

    @Override
    public String name() {
        return "vector-" + SPECIES.vectorBitSize();
    }

    @Override
    public void code(byte[][] coefficients, byte[][] inputs, int inputOffset, byte[][] outputs, int outputOffset,
            int length) {
        assert inputs.length > 0 : "a code has at least one data shard";
        int vectorEnd = SPECIES.loopBound(length);
        if (vectorEnd > 0) {
            byte[] tables = tables(coefficients, inputs.length);
            int block = Math.max(LANES, BLOCK_BYTES / inputs.length / LANES * LANES);
            for (int from = 0; from < vectorEnd; from += block) {
                int to = Math.min(from + block, vectorEnd);
                for (int r = 0; r < outputs.length; r++) {
                    codeBlock(tables, r * inputs.length, inputs, inputOffset, outputs[r], outputOffset, from, to);
                }
            }
        }
        codeTail(coefficients, inputs, inputOffset, outputs, outputOffset, vectorEnd, length);
    }

    private static void codeBlock(byte[] tables, int firstTable, byte[][] inputs, int inputOffset, byte[] out,
            int outputOffset, int from, int to) {
        for (int i = from; i < to; i += LANES) {
            ByteVector sum = ByteVector.zero(SPECIES);
            for (int c = 0; c < inputs.length; c++) {
                ByteVector in = ByteVector.fromArray(SPECIES, inputs[c], inputOffset + i);
                // A 16-bit shift is one instruction on x86 where a byte shift is several; the mask
                // drops the bits that crossed in from the neighbouring byte.
                ByteVector high = in.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4)
                        .reinterpretAsBytes().and((byte) 0x0f);
                ByteVector low = in.and((byte) 0x0f);
                int t = (firstTable + c) * 2 * LANES;
                sum = sum.lanewise(VectorOperators.XOR,
                        low.selectFrom(ByteVector.fromArray(SPECIES, tables, t)))
                        .lanewise(VectorOperators.XOR,
                                high.selectFrom(ByteVector.fromArray(SPECIES, tables, t + LANES)));
            }
            sum.intoArray(out, outputOffset + i);
        }
    }

    /** The last bytes, fewer than one vector, one table load at a time. */
    private static void codeTail(byte[][] coefficients, byte[][] inputs, int inputOffset, byte[][] outputs,
            int outputOffset, int from, int to) {
        for (int r = 0; r < outputs.length; r++) {
            for (int i = from; i < to; i++) {
                int sum = 0;
                for (int c = 0; c < inputs.length; c++) {
                    sum ^= Galois.multiplicationRow(coefficients[r][c] & 0xff)[inputs[c][inputOffset + i] & 0xff];
                }
                outputs[r][outputOffset + i] = (byte) sum;
            }
        }
    }

    private byte[] tables(byte[][] coefficients, int columns) {
        Tables t = last;
        if (t == null || !Arrays.deepEquals(t.coefficients(), coefficients)) {
            byte[][] copy = new byte[coefficients.length][];
            for (int r = 0; r < copy.length; r++) {
                copy[r] = Arrays.copyOf(coefficients[r], columns);
            }
            t = new Tables(copy, nibbleTables(copy, columns));
            last = t;
        }
        return t.nibbles();
    }

    /**
     * For each coefficient, in row-major order, its low-nibble table then its high-nibble table,
     * each a full vector since a select reads its table from one; only lanes 0-15 are ever selected,
     * the rest repeat them.
     */
    private static byte[] nibbleTables(byte[][] coefficients, int columns) {
        byte[] tables = new byte[coefficients.length * columns * 2 * LANES];
        for (int r = 0; r < coefficients.length; r++) {
            for (int c = 0; c < columns; c++) {
                byte[] products = Galois.multiplicationRow(coefficients[r][c] & 0xff);
                int t = (r * columns + c) * 2 * LANES;
                for (int lane = 0; lane < LANES; lane++) {
                    tables[t + lane] = products[lane & 0x0f];
                    tables[t + LANES + lane] = products[(lane & 0x0f) << 4];
                }
            }
        }
        return tables;
    }
}
