package ostore.store.rocks;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import ostore.crypto.Hash32;

/**
 * Reads the big-endian, length-prefixed layout that {@link ostore.crypto.CanonicalEncoder} writes.
 * Every read is bounds-checked so a damaged record fails with the offset, not garbage.
 */
final class RecordReader {
    private final byte[] in;
    private final String what;
    private int pos;

    RecordReader(byte[] in, String what) {
        this.in = in;
        this.what = what;
    }

    int u8() {
        need(1);
        return in[pos++] & 0xff;
    }

    boolean bool() {
        int b = u8();
        if (b > 1) {
            throw corrupt("boolean byte (" + b + ") must be 0 or 1");
        }
        return b == 1;
    }

    long u32() {
        need(4);
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v = v << 8 | (in[pos++] & 0xff);
        }
        return v;
    }

    long i64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (in[pos++] & 0xff);
        }
        return v;
    }

    Hash32 hash() {
        need(Hash32.LENGTH);
        Hash32 h = Hash32.of(Arrays.copyOfRange(in, pos, pos + Hash32.LENGTH));
        pos += Hash32.LENGTH;
        return h;
    }

    byte[] bytes() {
        long length = u32();
        need(length);
        byte[] b = Arrays.copyOfRange(in, pos, pos + (int) length);
        pos += (int) length;
        return b;
    }

    String string() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    /** Checks the record's format byte. */
    void expectFormat(int format) {
        int found = u8();
        if (found != format) {
            throw corrupt("format version (" + found + ") is not the supported " + format);
        }
    }

    /** Checks that nothing is left over, so a longer record from a newer format is not misread. */
    void end() {
        if (pos != in.length) {
            throw corrupt((in.length - pos) + " trailing bytes");
        }
    }

    private void need(long n) {
        if (n > in.length - pos) {
            throw corrupt("needs " + n + " bytes at offset " + pos + " of " + in.length);
        }
    }

    private IllegalStateException corrupt(String detail) {
        return new IllegalStateException("corrupt " + what + " record: " + detail);
    }
}
