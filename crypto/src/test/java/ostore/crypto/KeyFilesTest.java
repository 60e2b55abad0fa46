package ostore.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
    private static final String OWNER_SEED = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static final String OWNER_PUBLIC = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    private static final String PRIVATE_TEXT =
            "ostore-ed25519-private-key v1\n" + OWNER_SEED + "\n" + OWNER_PUBLIC + "\n";

    @TempDir
    Path dir;

    @Test
    void privateKeyFileFormatIsPinnedAndOwnerOnly() throws IOException {
        Path file = dir.resolve("owner.key");
        KeyFiles.save(Fixtures.OWNER, file);
        assertEquals(PRIVATE_TEXT, Files.readString(file, StandardCharsets.US_ASCII));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of(file), listDir(), "the temporary file must be gone");
    }

    @Test
    void savedKeyLoadsAndSignsTheSame() throws IOException {
        Path file = dir.resolve("k");
        KeyFiles.save(Fixtures.WRITER_A, file);
        SigningKey loaded = KeyFiles.load(file);
        assertEquals(Fixtures.WRITER_A.publicKey(), loaded.publicKey());
        byte[] message = Fixtures.ascii("m");
        assertTrue(loaded.publicKey().verify(Domain.UPDATE, message, Fixtures.WRITER_A.sign(Domain.UPDATE, message)));
    }

    @Test
    void existingFileIsNeverReplaced() throws IOException {
        Path file = dir.resolve("k");
        KeyFiles.save(Fixtures.OWNER, file);
        assertThrows(FileAlreadyExistsException.class, () -> KeyFiles.save(Fixtures.WRITER_A, file));
        assertThrows(FileAlreadyExistsException.class, () -> KeyFiles.savePublic(Fixtures.WRITER_A.publicKey(), file));
        assertEquals(Fixtures.OWNER.publicKey(), KeyFiles.load(file).publicKey());
        assertEquals(List.of(file), listDir());
    }

    @Test
    void loadRefusesAnyAccessBeyondTheOwner() throws IOException {
        Path file = dir.resolve("k");
        KeyFiles.save(Fixtures.OWNER, file);
        for (String mode : List.of("rw-r-----", "rw----r--", "rw-rw-rw-", "rwx------", "rw---x---")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
            assertRefused(file, "permissions " + mode + " are too open");
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        assertEquals(Fixtures.OWNER.publicKey(), KeyFiles.load(file).publicKey(), "narrower than 0600 is fine");
    }

    @Test
    void loadRefusesMalformedFiles() throws IOException {
        String seed = OWNER_SEED + "\n";
        String pub = OWNER_PUBLIC + "\n";
        assertRefused(write("ostore-ed25519-private-key v2\n" + seed + pub), "first line must be");
        assertRefused(write("ostore-ed25519-public-key v1\n" + pub), "first line must be");
        assertRefused(write(PRIVATE_TEXT.substring(0, PRIVATE_TEXT.length() - 1)), "does not end with a newline");
        assertRefused(write(PRIVATE_TEXT + "\n"), "has 4 lines, must have 3");
        assertRefused(write("ostore-ed25519-private-key v1\n" + seed), "has 2 lines, must have 3");
        assertRefused(write("ostore-ed25519-private-key v1\n" + seed.substring(2) + pub), "seed line has 62 characters");
        assertRefused(write("ostore-ed25519-private-key v1\n" + seed.replace('a', 'x') + pub), "seed line is not hex");
        assertRefused(write("ostore-ed25519-private-key v1\r\n" + seed + pub), "first line must be");
        assertRefused(write(PRIVATE_TEXT.repeat(30)), "exceeds 4096");
    }

    @Test
    void loadRefusesAPublicKeyThatDoesNotMatchTheSeed() throws IOException {
        String other = Fixtures.WRITER_A.publicKey().toHex();
        Path file = write("ostore-ed25519-private-key v1\n" + OWNER_SEED + "\n" + other + "\n");
        assertRefused(file, "public key line " + other + " does not match the seed, whose public key is " + OWNER_PUBLIC);
    }

    @Test
    void loadRefusesAPublicKeyThatIsNoCurvePoint() throws IOException {
        String notAPoint = "ff".repeat(31) + "7f";
        assertRefused(write("ostore-ed25519-private-key v1\n" + OWNER_SEED + "\n" + notAPoint + "\n"),
                "not a valid Ed25519 key");
        Path pub = write("ostore-ed25519-public-key v1\n" + notAPoint + "\n");
        var e = assertThrows(KeyFileException.class, () -> KeyFiles.loadPublic(pub));
        assertTrue(e.getMessage().contains("not a valid Ed25519 key"), e.getMessage());
    }

    @Test
    void publicKeyFileFormatIsPinnedAndWorldReadable() throws IOException {
        Path file = dir.resolve("owner.pub");
        KeyFiles.savePublic(Fixtures.OWNER.publicKey(), file);
        assertEquals("ostore-ed25519-public-key v1\n" + OWNER_PUBLIC + "\n", Files.readString(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(Fixtures.OWNER.publicKey(), KeyFiles.loadPublic(file));
    }

    @Test
    void loadPublicRefusesAPrivateKeyFileAndBadLines() throws IOException {
        Path file = dir.resolve("k");
        KeyFiles.save(Fixtures.OWNER, file);
        var e = assertThrows(KeyFileException.class, () -> KeyFiles.loadPublic(file));
        assertTrue(e.getMessage().contains("first line must be 'ostore-ed25519-public-key v1'"), e.getMessage());
        Path shortLine = write("ostore-ed25519-public-key v1\n" + OWNER_PUBLIC.substring(1) + "\n");
        var s = assertThrows(KeyFileException.class, () -> KeyFiles.loadPublic(shortLine));
        assertTrue(s.getMessage().contains("public key line has 63 characters"), s.getMessage());
    }

    private Path write(String text) throws IOException {
        Path file = Files.createTempFile(dir, "bad", ".key",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        return file;
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    private static void assertRefused(Path file, String expected) {
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.load(file));
        assertTrue(e.getMessage().startsWith("key file " + file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
