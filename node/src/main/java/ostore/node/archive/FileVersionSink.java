package ostore.node.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import ostore.archive.BlockSink;
import ostore.crypto.Bguid;
import ostore.crypto.VersionRoot;

/**
 * Writes a restored version's bytes to a file, transactionally: blocks go to a hidden temporary
 * file beside the target, which is synced and renamed onto the target only on {@link #commit()};
 * {@link #abort()} deletes it. So a restore that fails part way (a stripe short of k fragments)
 * leaves no partial output, and the target appears complete or not at all.
 */
final class FileVersionSink implements BlockSink {
    private final Path target;
    private Path temp;
    private FileChannel channel;
    private OutputStream out;
    private VersionRoot root;
    private byte[] certificate;

    FileVersionSink(Path target) {
        this.target = Objects.requireNonNull(target, "target").toAbsolutePath();
    }

    @Override
    public void begin(VersionRoot root, byte[] certificate) throws IOException {
        this.root = root;
        this.certificate = certificate.clone();
        Files.createDirectories(target.getParent());
        temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".part");
        channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        out = Channels.newOutputStream(channel);
    }

    @Override
    public void accept(long index, Bguid bguid, byte[] bytes) throws IOException {
        out.write(bytes);
    }

    @Override
    public void commit() throws IOException {
        channel.force(true);
        out.close();
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        temp = null;
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    @Override
    public void abort() throws IOException {
        if (out != null) {
            out.close();
        }
        if (temp != null) {
            Files.deleteIfExists(temp);
            temp = null;
        }
    }

    /** The root of the version restored (after {@link #begin}). */
    VersionRoot root() {
        return root;
    }

    byte[] certificate() {
        return certificate.clone();
    }
}
