package ostore.archive.codec;

/**
 * The portable loop: one product-table load per input byte per output. Each output is built in
 * one pass per input, so a 256-byte table row and two shard ranges are all that is hot at a time.
 */
public final class ByteTableLoop implements CodingLoop {
    @Override
    public String name() {
        return "byte-table";
    }

    @Override
    public void code(byte[][] coefficients, byte[][] inputs, int inputOffset, byte[][] outputs, int outputOffset,
            int length) {
        assert inputs.length > 0 : "a code has at least one data shard";
        for (int r = 0; r < outputs.length; r++) {
            byte[] out = outputs[r];
            byte[] row = coefficients[r];
            byte[] products = Galois.multiplicationRow(row[0] & 0xff);
            byte[] in = inputs[0];
            for (int i = 0; i < length; i++) {
                out[outputOffset + i] = products[in[inputOffset + i] & 0xff];
            }
            for (int c = 1; c < inputs.length; c++) {
                products = Galois.multiplicationRow(row[c] & 0xff);
                in = inputs[c];
                for (int i = 0; i < length; i++) {
                    out[outputOffset + i] ^= products[in[inputOffset + i] & 0xff];
                }
            }
        }
    }
}
