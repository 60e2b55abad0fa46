package ostore.archive.codec;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The ISA-L codec: the same Cauchy code as {@link ReedSolomon}, computed by ISA-L's SIMD
 * {@code ec_encode_data}. The encode matrix comes from ISA-L's own {@code gf_gen_cauchy1_matrix},
 * so a test that compares this codec's parity with the Java codec's also proves the two
 * generators agree. Decode coefficients are derived in Java ({@link CauchyCode}) and expanded by
 * {@code ec_init_tables}.
 *
 * <p>ISA-L reads and writes native memory, and a Java heap array cannot be handed to it through an
 * array of pointers, so shards are copied through off-heap buffers, a chunk at a time so the
 * buffers stay small and cache-hot.
 */
public final class IsalCodec implements ErasureCodec {
    /** Bytes of each shard per native call. */
    private static final int CHUNK = 64 * 1024;

    private final CauchyCode code;
    /** ISA-L's expanded encode tables, 32 x k x m bytes; freed with the codec by the GC. */
    private final MemorySegment encodeTables;

    /**
     * A codec for {@code dataShards + parityShards <= 256} shards.
     *
     * @throws IllegalStateException if ISA-L cannot load, saying why
     */
    public IsalCodec(int dataShards, int parityShards) {
        this.code = new CauchyCode(dataShards, parityShards);
        if (Isal.problem().isPresent()) {
            throw new IllegalStateException("ISA-L is not available: " + Isal.problem().get());
        }
        int k = dataShards;
        int n = dataShards + parityShards;
        Arena arena = Arena.ofAuto();
        MemorySegment matrix = arena.allocate((long) n * k);
        Isal.genCauchy1Matrix(matrix, n, k);
        this.encodeTables = arena.allocate(32L * k * Math.max(parityShards, 1));
        Isal.initTables(k, parityShards, matrix.asSlice((long) k * k), encodeTables);
    }

    /** Whether ISA-L loads in this JVM. */
    public static boolean available() {
        return Isal.problem().isEmpty();
    }

    @Override
    public int dataShards() {
        return code.dataShards();
    }

    @Override
    public int parityShards() {
        return code.parityShards();
    }

    @Override
    public String description() {
        return "ISA-L via FFM (" + Isal.loadedFile() + ")";
    }

    @Override
    public void encodeParity(byte[][] shards, int offset, int length) {
        code.checkShards(shards, offset, length);
        int k = code.dataShards();
        run(encodeTables, shards, offset, length, range(0, k), range(k, k + code.parityShards()), false);
    }

    @Override
    public boolean isParityCorrect(byte[][] shards, int offset, int length) {
        code.checkShards(shards, offset, length);
        int k = code.dataShards();
        return run(encodeTables, shards, offset, length, range(0, k), range(k, k + code.parityShards()), true);
    }

    @Override
    public void decodeMissing(byte[][] shards, boolean[] present, int offset, int length) {
        code.checkShards(shards, offset, length);
        decode(code.plan(present), shards, offset, length);
    }

    @Override
    public void decodeMissingData(byte[][] shards, boolean[] present, int offset, int length) {
        code.checkShards(shards, offset, length);
        decode(code.plan(present).dataOnly(code.dataShards()), shards, offset, length);
    }

    private void decode(CauchyCode.DecodePlan plan, byte[][] shards, int offset, int length) {
        int rows = plan.targets().length;
        if (rows == 0) {
            return;
        }
        int k = code.dataShards();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment matrix = arena.allocate((long) rows * k);
            for (int t = 0; t < rows; t++) {
                MemorySegment.copy(plan.coefficients()[t], 0, matrix, ValueLayout.JAVA_BYTE, (long) t * k, k);
            }
            MemorySegment tables = arena.allocate(32L * k * rows);
            Isal.initTables(k, rows, matrix, tables);
            run(tables, shards, offset, length, plan.sources(), plan.targets(), false);
        }
    }

    /**
     * Computes the shards {@code outputs} from the shards {@code inputs} with {@code tables}, chunk
     * by chunk; when {@code compare}, leaves the outputs alone and returns whether they already
     * hold what would be computed.
     */
    private static boolean run(MemorySegment tables, byte[][] shards, int offset, int length, int[] inputs,
            int[] outputs, boolean compare) {
        if (outputs.length == 0) {
            return true;
        }
        int chunk = Math.min(CHUNK, length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate((long) inputs.length * chunk, 64);
            MemorySegment out = arena.allocate((long) outputs.length * chunk, 64);
            MemorySegment inPointers = pointers(arena, in, inputs.length, chunk);
            MemorySegment outPointers = pointers(arena, out, outputs.length, chunk);
            for (int done = 0; done < length; done += chunk) {
                int n = Math.min(chunk, length - done);
                for (int c = 0; c < inputs.length; c++) {
                    MemorySegment.copy(shards[inputs[c]], offset + done, in, ValueLayout.JAVA_BYTE, (long) c * chunk, n);
                }
                Isal.encodeData(n, inputs.length, outputs.length, tables, inPointers, outPointers);
                for (int r = 0; r < outputs.length; r++) {
                    MemorySegment computed = out.asSlice((long) r * chunk, n);
                    if (!compare) {
                        MemorySegment.copy(computed, ValueLayout.JAVA_BYTE, 0, shards[outputs[r]], offset + done, n);
                    } else if (computed.mismatch(MemorySegment.ofArray(shards[outputs[r]]).asSlice(offset + done, n)) >= 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static MemorySegment pointers(Arena arena, MemorySegment buffers, int count, int stride) {
        MemorySegment p = arena.allocate(ADDRESS, count);
        for (int i = 0; i < count; i++) {
            p.setAtIndex(ADDRESS, i, buffers.asSlice((long) i * stride));
        }
        return p;
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
