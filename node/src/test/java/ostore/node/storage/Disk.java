package ostore.node.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import ostore.crypto.Hash32;

/** Damages a stored object the way a failing disk would, wherever the store keeps its file. */
final class Disk {
    private Disk() {}

    /** Replaces the bytes of the one file named by {@code name}'s hex under {@code root}. */
    static void overwrite(Path root, Hash32 name, byte[] bytes) {
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().equals(name.toHex()))
                    .filter(p -> p.toString().contains("objects")).toList();
            if (found.size() != 1) {
                throw new IllegalStateException("expected one file for " + name.toHex() + " under " + root + ", found " + found);
            }
            Files.write(found.getFirst(), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
