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
     * Whether one vector holds both 16-entry tables of a coefficient, the low-nibble products in
     * lanes 0-15 and the high-nibble ones in lanes 16-31, the high nibbles being looked up at index
     * 16 + nibble: possible from 32 lanes on, it halves the table bytes that must stay in L1 (16+16
     * with 64-byte vectors: 16 KiB instead of 32) and the table loads.
     */
    private static final boolean COMBINED = LANES >= 32;
    /** Table bytes per coefficient: one vector when combined, else a low and a high one. */
    private static final int TABLE_BYTES = COMBINED ? LANES : 2 * LANES;
    /**
     * Bytes of all inputs together handled per pass over the outputs: each group of outputs reads
     * every input again, so the block of inputs must stay in L1 (32-48 KiB on current x86) beside
     * the tables.
     */
    private static final int BLOCK_BYTES = 8 * 1024;

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

    /**
     * Outputs are computed four at a time (then two, then one): each input vector is loaded and
     * split into nibbles once per group and feeds four accumulators held in registers, as ISA-L's
     * {@code gf_4vect_dot_prod} does, instead of once per output.
     */
    @Override
    public void code(byte[][] coefficients, byte[][] inputs, int inputOffset, byte[][] outputs, int outputOffset,
            int length) {
        assert inputs.length > 0 : "a code has at least one data shard";
        int vectorEnd = SPECIES.loopBound(length);
        if (vectorEnd > 0) {
            byte[] tables = tables(coefficients, inputs.length);
            int block = Math.max(LANES, BLOCK_BYTES / inputs.length / LANES * LANES);
            int rowTables = inputs.length * TABLE_BYTES;
            for (int from = 0; from < vectorEnd; from += block) {
                int to = Math.min(from + block, vectorEnd);
                int r = 0;
                for (; r + 4 <= outputs.length; r += 4) {
                    code4(tables, r * rowTables, rowTables, inputs, inputOffset, outputs[r], outputs[r + 1],
                            outputs[r + 2], outputs[r + 3], outputOffset, from, to);
                }
                if (r + 2 <= outputs.length) {
                    code2(tables, r * rowTables, rowTables, inputs, inputOffset, outputs[r], outputs[r + 1],
                            outputOffset, from, to);
                    r += 2;
                }
                if (r < outputs.length) {
                    code1(tables, r * rowTables, inputs, inputOffset, outputs[r], outputOffset, from, to);
                }
            }
        }
        codeTail(coefficients, inputs, inputOffset, outputs, outputOffset, vectorEnd, length);
    }

    /** The low nibbles of {@code in}, as table indexes. */
    private static ByteVector low(ByteVector in) {
        return in.and((byte) 0x0f);
    }

    /** The high nibbles of {@code in}, as table indexes (offset by 16 into a combined table). */
    private static ByteVector high(ByteVector in) {
        // A 16-bit shift is one instruction on x86 where a byte shift is several; the mask drops
        // the bits that crossed in from the neighbouring byte.
        ByteVector h = in.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                .and((byte) 0x0f);
        return COMBINED ? h.or((byte) 0x10) : h;
    }

    /** The product of the coefficient whose table starts at {@code t} with the split input. */
    private static ByteVector product(byte[] tables, int t, ByteVector low, ByteVector high) {
        ByteVector lowTable = ByteVector.fromArray(SPECIES, tables, t);
        ByteVector highTable = COMBINED ? lowTable : ByteVector.fromArray(SPECIES, tables, t + LANES);
        return low.selectFrom(lowTable).lanewise(VectorOperators.XOR, high.selectFrom(highTable));
    }

    private static void code4(byte[] tables, int t0, int rowTables, byte[][] inputs, int inputOffset, byte[] out0,
            byte[] out1, byte[] out2, byte[] out3, int outputOffset, int from, int to) {
        for (int i = from; i < to; i += LANES) {
            ByteVector s0 = ByteVector.zero(SPECIES);
            ByteVector s1 = s0;
            ByteVector s2 = s0;
            ByteVector s3 = s0;
            for (int c = 0, t = t0; c < inputs.length; c++, t += TABLE_BYTES) {
                ByteVector in = ByteVector.fromArray(SPECIES, inputs[c], inputOffset + i);
                ByteVector low = low(in);
                ByteVector high = high(in);
                s0 = s0.lanewise(VectorOperators.XOR, product(tables, t, low, high));
                s1 = s1.lanewise(VectorOperators.XOR, product(tables, t + rowTables, low, high));
                s2 = s2.lanewise(VectorOperators.XOR, product(tables, t + 2 * rowTables, low, high));
                s3 = s3.lanewise(VectorOperators.XOR, product(tables, t + 3 * rowTables, low, high));
            }
            s0.intoArray(out0, outputOffset + i);
            s1.intoArray(out1, outputOffset + i);
            s2.intoArray(out2, outputOffset + i);
            s3.intoArray(out3, outputOffset + i);
        }
    }

    private static void code2(byte[] tables, int t0, int rowTables, byte[][] inputs, int inputOffset, byte[] out0,
            byte[] out1, int outputOffset, int from, int to) {
        for (int i = from; i < to; i += LANES) {
            ByteVector s0 = ByteVector.zero(SPECIES);
            ByteVector s1 = s0;
            for (int c = 0, t = t0; c < inputs.length; c++, t += TABLE_BYTES) {
                ByteVector in = ByteVector.fromArray(SPECIES, inputs[c], inputOffset + i);
                ByteVector low = low(in);
                ByteVector high = high(in);
                s0 = s0.lanewise(VectorOperators.XOR, product(tables, t, low, high));
                s1 = s1.lanewise(VectorOperators.XOR, product(tables, t + rowTables, low, high));
            }
            s0.intoArray(out0, outputOffset + i);
            s1.intoArray(out1, outputOffset + i);
        }
    }

    private static void code1(byte[] tables, int t0, byte[][] inputs, int inputOffset, byte[] out,
            int outputOffset, int from, int to) {
        for (int i = from; i < to; i += LANES) {
            ByteVector sum = ByteVector.zero(SPECIES);
            for (int c = 0, t = t0; c < inputs.length; c++, t += TABLE_BYTES) {
                ByteVector in = ByteVector.fromArray(SPECIES, inputs[c], inputOffset + i);
                sum = sum.lanewise(VectorOperators.XOR, product(tables, t, low(in), high(in)));
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
     * For each coefficient, in row-major order, {@link #TABLE_BYTES} bytes: its low-nibble products
     * then its high-nibble products, in one vector (lanes 0-15 and 16-31) when {@link #COMBINED},
     * else in a vector each. A select reads its table from a whole vector; lanes no index reaches
     * repeat the tables.
     */
    private static byte[] nibbleTables(byte[][] coefficients, int columns) {
        byte[] tables = new byte[coefficients.length * columns * TABLE_BYTES];
        for (int r = 0; r < coefficients.length; r++) {
            for (int c = 0; c < columns; c++) {
                byte[] products = Galois.multiplicationRow(coefficients[r][c] & 0xff);
                int t = (r * columns + c) * TABLE_BYTES;
                for (int lane = 0; lane < TABLE_BYTES; lane++) {
                    // Lanes with bit 4 set hold the high-nibble table, whether combined or not.
                    int nibble = lane & 0x0f;
                    tables[t + lane] = products[(lane & 0x10) == 0 ? nibble : nibble << 4];
                }
            }
        }
        return tables;
    }
}
