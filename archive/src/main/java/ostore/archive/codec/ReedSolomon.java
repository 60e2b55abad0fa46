package ostore.archive.codec;

import java.util.Arrays;

/**
 * The pure-Java codec: the Cauchy code of {@link ErasureCodec} computed by a {@link CodingLoop}.
 * Used where ISA-L cannot load, and as the reference the ISA-L path is tested against.
 */
public final class ReedSolomon implements ErasureCodec {
    /** Parity is checked through a scratch buffer of at most this many bytes per parity shard. */
    private static final int CHECK_CHUNK = 64 * 1024;

    private final CauchyCode code;
    private final CodingLoop loop;

    /** A codec for {@code dataShards + parityShards <= 256} shards, computed by {@code loop}. */
    public ReedSolomon(int dataShards, int parityShards, CodingLoop loop) {
        if (loop == null) {
            throw new IllegalArgumentException("loop must not be null");
        }
        this.code = new CauchyCode(dataShards, parityShards);
        this.loop = loop;
    }

    /** The generator matrix, (k + m) x k, identity on top. */
    public Matrix generator() {
        return code.generator();
    }

    /** The loop that computes the bytes. */
    public CodingLoop loop() {
        return loop;
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
        return "pure Java (" + loop.name() + " loop)";
    }

    @Override
    public void encodeParity(byte[][] shards, int offset, int length) {
        code.checkShards(shards, offset, length);
        int k = code.dataShards();
        loop.code(code.parityRows(), Arrays.copyOfRange(shards, 0, k), offset,
                Arrays.copyOfRange(shards, k, shards.length), offset, length);
    }

    @Override
    public boolean isParityCorrect(byte[][] shards, int offset, int length) {
        code.checkShards(shards, offset, length);
        int k = code.dataShards();
        int m = code.parityShards();
        byte[][] data = Arrays.copyOfRange(shards, 0, k);
        byte[][] expected = new byte[m][Math.min(length, CHECK_CHUNK)];
        for (int done = 0; done < length; done += CHECK_CHUNK) {
            int n = Math.min(CHECK_CHUNK, length - done);
            loop.code(code.parityRows(), data, offset + done, expected, 0, n);
            for (int p = 0; p < m; p++) {
                int from = offset + done;
                if (!Arrays.equals(expected[p], 0, n, shards[k + p], from, from + n)) {
                    return false;
                }
            }
        }
        return true;
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
        if (plan.targets().length == 0) {
            return;
        }
        byte[][] sources = new byte[plan.sources().length][];
        for (int c = 0; c < sources.length; c++) {
            sources[c] = shards[plan.sources()[c]];
        }
        byte[][] targets = new byte[plan.targets().length][];
        for (int t = 0; t < targets.length; t++) {
            targets[t] = shards[plan.targets()[t]];
        }
        loop.code(plan.coefficients(), sources, offset, targets, offset, length);
    }
}
