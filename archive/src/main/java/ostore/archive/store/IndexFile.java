package ostore.archive.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The file holding one index key's values. It is small (at most {@link FragmentStore#MAX_INDEX_VALUES}
 * values of {@link FragmentStore#MAX_INDEX_VALUE_BYTES}), so every change rewrites it whole through
 * a synced temporary file and an atomic rename: no torn tails to repair after a crash.
 *
 * <p>Format 1: {@code [u8 format = 1][u32 n][n x (u32 length, bytes)][u32 CRC-32C of all before]}.
 * The checksum catches disk corruption; a corrupt file is reported, never silently emptied.
 */
final class IndexFile {
    static final int FORMAT = 1;

    private IndexFile() {}

    static byte[] encode(List<byte[]> values) {
        int size = 1 + 4 + 4;
        for (byte[] v : values) {
            size += 4 + v.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).put((byte) FORMAT).putInt(values.size());
        for (byte[] v : values) {
            b.putInt(v.length).put(v);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, size - 4);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** The values in {@code file}, a mutable list; empty if the file does not exist. */
    static List<byte[]> read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        }
        try {
            return decode(bytes);
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new IOException("index file " + file + " is corrupt: " + e.getMessage(), e);
        }
    }

    private static List<byte[]> decode(byte[] bytes) {
        if (bytes.length < 9) {
            throw new IllegalArgumentException("only " + bytes.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new IllegalArgumentException("checksum mismatch");
        }
        b.limit(bytes.length - 4);
        int format = Byte.toUnsignedInt(b.get());
        if (format != FORMAT) {
            throw new IllegalArgumentException("format " + format + ", expected " + FORMAT);
        }
        int n = b.getInt();
        if (n < 0 || n > FragmentStore.MAX_INDEX_VALUES) {
            throw new IllegalArgumentException(n + " values");
        }
        List<byte[]> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int length = b.getInt();
            if (length < 1 || length > b.remaining()) {
                throw new IllegalArgumentException("value " + i + " of length " + length);
            }
            byte[] v = new byte[length];
            b.get(v);
            values.add(v);
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException(b.remaining() + " trailing bytes");
        }
        return values;
    }
}
