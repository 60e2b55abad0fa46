package ostore.archive.codec;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The code itself, apart from how its bytes are computed: the parameters, the generator matrix,
 * the coefficients that rebuild missing shards, and the argument checks every codec applies.
 * Immutable apart from a one-entry cache of the last decode plan, since a restore decodes stripe
 * after stripe with the same shards missing.
 */
final class CauchyCode {
    /** The largest k + m: a Cauchy matrix needs k + m distinct field elements. */
    static final int MAX_SHARDS = Galois.FIELD_SIZE;

    private final int k;
    private final int m;
    private final Matrix generator;
    private final byte[][] parityRows;
    private volatile DecodePlan lastPlan;

    CauchyCode(int dataShards, int parityShards) {
        checkParameters(dataShards, parityShards);
        this.k = dataShards;
        this.m = parityShards;
        this.generator = generator(dataShards, parityShards);
        this.parityRows = new byte[m][];
        for (int i = 0; i < m; i++) {
            parityRows[i] = generator.row(k + i);
        }
    }

    static void checkParameters(int dataShards, int parityShards) {
        if (dataShards < 1) {
            throw new IllegalArgumentException("data shards (" + dataShards + ") must be >= 1");
        }
        if (parityShards < 0) {
            throw new IllegalArgumentException("parity shards (" + parityShards + ") must be >= 0");
        }
        if (dataShards + parityShards > MAX_SHARDS) {
            throw new IllegalArgumentException("data + parity shards (" + dataShards + " + " + parityShards
                    + ") must be <= " + MAX_SHARDS);
        }
    }

    /**
     * The (k + m) x k generator of ISA-L's {@code gf_gen_cauchy1_matrix}: the identity, then
     * {@code 1 / (i xor j)} in row i, column j. Rows i >= k and columns j < k use disjoint sets
     * of field elements, so every square submatrix of the lower part is a nonsingular Cauchy
     * matrix and any k rows of the whole are independent: the code is MDS for every k + m <= 256.
     */
    static Matrix generator(int dataShards, int parityShards) {
        checkParameters(dataShards, parityShards);
        int n = dataShards + parityShards;
        byte[] d = new byte[n * dataShards];
        for (int i = 0; i < dataShards; i++) {
            d[i * dataShards + i] = 1;
        }
        for (int i = dataShards; i < n; i++) {
            for (int j = 0; j < dataShards; j++) {
                d[i * dataShards + j] = (byte) Galois.inverse(i ^ j);
            }
        }
        return Matrix.ofRowMajor(n, dataShards, d);
    }

    int dataShards() {
        return k;
    }

    int parityShards() {
        return m;
    }

    Matrix generator() {
        return generator;
    }

    /** Parity rows of the generator, shared: callers must not write to them. */
    byte[][] parityRows() {
        return parityRows;
    }

    /** Checks the shard array and range every codec method receives. */
    void checkShards(byte[][] shards, int offset, int length) {
        if (shards == null || shards.length != k + m) {
            throw new IllegalArgumentException("shards (" + (shards == null ? "null" : shards.length)
                    + ") must be k + m = " + (k + m));
        }
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset (" + offset + ") and length (" + length + ") must be >= 0");
        }
        Map<byte[], Integer> seen = new IdentityHashMap<>();
        for (int i = 0; i < shards.length; i++) {
            if (shards[i] == null) {
                throw new IllegalArgumentException("shard " + i + " is null");
            }
            if (shards[i].length - (long) offset < length) {
                throw new IllegalArgumentException("shard " + i + " (" + shards[i].length
                        + " bytes) is shorter than offset + length (" + offset + " + " + length + ")");
            }
            Integer other = seen.put(shards[i], i);
            if (other != null) {
                throw new IllegalArgumentException("shards " + other + " and " + i + " are the same array");
            }
        }
    }

    /**
     * What to read and compute to rebuild the shards not marked present.
     *
     * @throws TooFewShardsException if fewer than k are present
     */
    DecodePlan plan(boolean[] present) {
        if (present == null || present.length != k + m) {
            throw new IllegalArgumentException("present (" + (present == null ? "null" : present.length)
                    + ") must have k + m = " + (k + m) + " flags");
        }
        DecodePlan cached = lastPlan;
        if (cached != null && Arrays.equals(cached.present(), present)) {
            return cached;
        }
        DecodePlan made = makePlan(present.clone());
        lastPlan = made;
        return made;
    }

    private DecodePlan makePlan(boolean[] present) {
        int count = 0;
        for (boolean p : present) {
            count += p ? 1 : 0;
        }
        if (count < k) {
            throw new TooFewShardsException(count, k, k + m);
        }
        // Any k present shards determine the data; the first k favour data shards, whose
        // generator rows are unit rows, so with no data missing the matrix to invert is I.
        int[] sources = new int[k];
        int[] targets = new int[k + m - count];
        for (int i = 0, s = 0, t = 0; i < k + m; i++) {
            if (!present[i]) {
                targets[t++] = i;
            } else if (s < k) {
                sources[s++] = i;
            }
        }
        Matrix fromSources = generator.selectRows(sources).invert();
        byte[][] coefficients = new byte[targets.length][];
        for (int t = 0; t < targets.length; t++) {
            // Row targets[t] of the generator times the inverse maps the sources to that shard;
            // for a data shard this is simply row targets[t] of the inverse.
            coefficients[t] = generator.selectRows(new int[] {targets[t]}).times(fromSources).row(0);
        }
        return new DecodePlan(present, sources, targets, coefficients);
    }

    /**
     * How to rebuild missing shards: {@code shard[targets[t]] = sum over c of
     * coefficients[t][c] * shard[sources[c]]}.
     */
    record DecodePlan(boolean[] present, int[] sources, int[] targets, byte[][] coefficients) {
        /** This plan without its parity targets: rebuilds only the missing data shards (below {@code k}). */
        DecodePlan dataOnly(int k) {
            int rows = 0;
            for (int t : targets) {
                rows += t < k ? 1 : 0;
            }
            if (rows == targets.length) {
                return this;
            }
            int[] keptTargets = new int[rows];
            byte[][] keptRows = new byte[rows][];
            int r = 0;
            for (int t = 0; t < targets.length; t++) {
                if (targets[t] < k) {
                    keptTargets[r] = targets[t];
                    keptRows[r++] = coefficients[t];
                }
            }
            return new DecodePlan(present, sources, keptTargets, keptRows);
        }
    }
}
