package ostore.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Ed25519 keys on disk, in a versioned text format of exactly these lines, each ending in '\n':
 *
 * <pre>
 * ostore-ed25519-private-key v1        ostore-ed25519-public-key v1
 * &lt;seed, 64 lowercase hex digits&gt;      &lt;public key, 64 hex digits&gt;
 * &lt;public key, 64 hex digits&gt;
 * </pre>
 *
 * <p>The private file repeats the public key so that a damaged seed is caught on load instead of
 * silently signing as somebody else. Private key files are created 0600 and, like ssh, refused on
 * load when group or others have any access. Files are written whole or not at all: to a temporary
 * file in the same directory, synced, then renamed into place. An existing file is never replaced.
 * Needs a POSIX file system; elsewhere the permission checks throw {@link UnsupportedOperationException}.
 */
public final class KeyFiles {
    static final String PRIVATE_HEADER = "ostore-ed25519-private-key v1";
    static final String PUBLIC_HEADER = "ostore-ed25519-public-key v1";

    /** Far above the ~160 bytes of a real key file; keeps a wrong path from being read whole. */
    private static final long MAX_FILE_BYTES = 4096;

    private static final Set<PosixFilePermission> PRIVATE_PERMISSIONS =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> PUBLIC_PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");
    private static final HexFormat HEX = HexFormat.of();

    private KeyFiles() {}

    /** Writes {@code key} to a new file {@code file} readable by its owner alone. */
    public static void save(SigningKey key, Path file) throws IOException {
        byte[] seed = key.seed();
        String text = PRIVATE_HEADER + "\n" + HEX.formatHex(seed) + "\n" + key.publicKey().toHex() + "\n";
        byte[] content = text.getBytes(StandardCharsets.US_ASCII);
        try {
            writeNew(file, content, PRIVATE_PERMISSIONS);
        } finally {
            // The String cannot be wiped; these copies of the secret can.
            Arrays.fill(seed, (byte) 0);
            Arrays.fill(content, (byte) 0);
        }
    }

    /** Writes {@code key} to a new file {@code file}, readable by everyone (0644). */
    public static void savePublic(PublicKey key, Path file) throws IOException {
        String text = PUBLIC_HEADER + "\n" + key.toHex() + "\n";
        writeNew(file, text.getBytes(StandardCharsets.US_ASCII), PUBLIC_PERMISSIONS);
    }

    /**
     * Reads a private key written by {@link #save}. Refuses a file that group or others may access
     * in any way, a malformed file, and one whose public key line does not belong to its seed.
     */
    public static SigningKey load(Path file) throws IOException {
        Set<PosixFilePermission> actual = Files.getPosixFilePermissions(file);
        if (!PRIVATE_PERMISSIONS.containsAll(actual)) {
            throw new KeyFileException(file, "permissions " + PosixFilePermissions.toString(actual)
                    + " are too open; a private key must be rw------- at most (chmod 600)");
        }
        List<String> lines = readLines(file, PRIVATE_HEADER, 3);
        byte[] seed = parseHex(file, "seed", lines.get(1), SigningKey.SEED_LENGTH);
        SigningKey key;
        try {
            key = SigningKey.fromSeed(seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
        PublicKey recorded = parsePublicKey(file, lines.get(2));
        if (!recorded.equals(key.publicKey())) {
            throw new KeyFileException(file, "public key line " + recorded.toHex()
                    + " does not match the seed, whose public key is " + key.publicKey().toHex());
        }
        return key;
    }

    /** Reads a public key written by {@link #savePublic}. */
    public static PublicKey loadPublic(Path file) throws IOException {
        List<String> lines = readLines(file, PUBLIC_HEADER, 2);
        return parsePublicKey(file, lines.get(1));
    }

    private static void writeNew(Path file, byte[] content, Set<PosixFilePermission> permissions)
            throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        // Checked before writing so the common mistake fails fast; two writers racing for one new
        // name still each rename a complete file, so a reader never sees a torn key.
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(absolute.toString(), null, "refusing to replace a key file");
        }
        FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(permissions);
        // The mode is given at creation, so the secret never sits in a file with wider permissions.
        Path temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp", mode);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            // umask may have narrowed the mode (never widened it); a public key should still be 0644.
            Files.setPosixFilePermissions(temp, permissions);
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        try (FileChannel dirChannel = FileChannel.open(dir, StandardOpenOption.READ)) {
            dirChannel.force(true);
        }
    }

    private static List<String> readLines(Path file, String header, int lineCount) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new KeyFileException(file, "size (" + size + " bytes) exceeds " + MAX_FILE_BYTES
                    + "; this is not an ostore key file");
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            String text = new String(bytes, StandardCharsets.US_ASCII);
            if (!text.endsWith("\n")) {
                throw new KeyFileException(file, "does not end with a newline; it may be truncated");
            }
            List<String> lines = List.of(text.substring(0, text.length() - 1).split("\n", -1));
            if (!lines.getFirst().equals(header)) {
                throw new KeyFileException(file, "first line must be '" + header + "'");
            }
            if (lines.size() != lineCount) {
                throw new KeyFileException(file, "has " + lines.size() + " lines, must have " + lineCount);
            }
            return lines;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static PublicKey parsePublicKey(Path file, String line) throws KeyFileException {
        byte[] raw = parseHex(file, "public key", line, PublicKey.LENGTH);
        try {
            return PublicKey.of(raw);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file, "public key line is not a valid Ed25519 key", e);
        }
    }

    private static byte[] parseHex(Path file, String what, String line, int length) throws KeyFileException {
        if (line.length() != 2 * length) {
            throw new KeyFileException(file, what + " line has " + line.length() + " characters, must be "
                    + 2 * length + " hex digits");
        }
        try {
            return HEX.parseHex(line);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file, what + " line is not hexadecimal", e);
        }
    }
}
