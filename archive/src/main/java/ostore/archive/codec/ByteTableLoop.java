package ostore.archive.codec;

/**
 * The portable loop: one product-table load per input byte per output. The shards are taken a
 * chunk at a time so that the chunk of every input and output stays in L1 while each output is
 * built from all inputs; inputs are taken two at a time, so each output byte is read and written
 * once per pair rather than once per input.
 */
public final class ByteTableLoop implements CodingLoop {
    /** Bytes of each shard per chunk: 16+16 at 1 KiB is 32 KiB of shards, about an L1. */
    private static final int CHUNK = 1024;

    @Override
    public String name() {
        return "byte-table";
    }

    @Override
    public void code(byte[][] coefficients, byte[][] inputs, int inputOffset, byte[][] outputs, int outputOffset,
            int length) {
        assert inputs.length > 0 : "a code has at least one data shard";
        for (int from = 0; from < length; from += CHUNK) {
            int n = Math.min(CHUNK, length - from);
            for (int r = 0; r < outputs.length; r++) {
                codeChunk(coefficients[r], inputs, inputOffset + from, outputs[r], outputOffset + from, n);
            }
        }
    }

    private static void codeChunk(byte[] row, byte[][] inputs, int inputOffset, byte[] out, int outputOffset, int n) {
        int c;
        if (inputs.length % 2 == 0) {
            byte[] p0 = Galois.multiplicationRow(row[0] & 0xff);
            byte[] p1 = Galois.multiplicationRow(row[1] & 0xff);
            byte[] in0 = inputs[0];
            byte[] in1 = inputs[1];
            for (int i = 0; i < n; i++) {
                out[outputOffset + i] = (byte) (p0[in0[inputOffset + i] & 0xff] ^ p1[in1[inputOffset + i] & 0xff]);
            }
            c = 2;
        } else {
            byte[] p0 = Galois.multiplicationRow(row[0] & 0xff);
            byte[] in0 = inputs[0];
            for (int i = 0; i < n; i++) {
                out[outputOffset + i] = p0[in0[inputOffset + i] & 0xff];
            }
            c = 1;
        }
        for (; c < inputs.length; c += 2) {
            byte[] p0 = Galois.multiplicationRow(row[c] & 0xff);
            byte[] p1 = Galois.multiplicationRow(row[c + 1] & 0xff);
            byte[] in0 = inputs[c];
            byte[] in1 = inputs[c + 1];
            for (int i = 0; i < n; i++) {
                out[outputOffset + i] ^= (byte) (p0[in0[inputOffset + i] & 0xff] ^ p1[in1[inputOffset + i] & 0xff]);
            }
        }
    }
}
