package ostore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.function.Executable;
import ostore.api.Protos;
import ostore.api.v1.BlockData;
import ostore.api.v1.BlockListChunk;
import ostore.api.v1.ReadResponse;
import ostore.crypto.Acl;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.BlockListHash;
import ostore.crypto.Domain;
import ostore.crypto.Hash32;
import ostore.crypto.Hashing;
import ostore.crypto.SigningKey;
import ostore.crypto.VersionRoot;
import ostore.crypto.Vguid;

/** Deterministic keys, blocks and honestly built versions and read streams for the SDK's tests. */
final class Fixtures {
    static final SigningKey OWNER = key(1);
    static final SigningKey OTHER = key(2);
    static final Aguid AGUID = Aguid.of(OWNER.publicKey(), "notes.txt");

    private Fixtures() {}

    static SigningKey key(int seedByte) {
        byte[] seed = new byte[SigningKey.SEED_LENGTH];
        Arrays.fill(seed, (byte) seedByte);
        return SigningKey.fromSeed(seed);
    }

    /** Blocks of the given sizes; each byte depends on block and offset, so no two blocks collide. */
    static List<byte[]> blocks(int... sizes) {
        List<byte[]> blocks = new ArrayList<>();
        for (int b = 0; b < sizes.length; b++) {
            byte[] block = new byte[sizes[b]];
            for (int i = 0; i < block.length; i++) {
                block[i] = (byte) (31 * b + 7 * i + 1);
            }
            blocks.add(block);
        }
        return blocks;
    }

    static List<BlockListHash.Entry> entries(List<byte[]> blocks) {
        return blocks.stream().map(b -> new BlockListHash.Entry(Bguid.ofBlock(b), b.length)).toList();
    }

    static byte[] concat(List<byte[]> blocks) {
        int total = blocks.stream().mapToInt(b -> b.length).sum();
        byte[] all = new byte[total];
        int at = 0;
        for (byte[] b : blocks) {
            System.arraycopy(b, 0, all, at, b.length);
            at += b.length;
        }
        return all;
    }

    static Hash32 digest(String label) {
        return Hashing.hash(Domain.UPDATE, label.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The root an honest server would build for these blocks. */
    static VersionRoot root(long seq, Optional<Vguid> predecessor, List<byte[]> blocks, long timestampMicros) {
        long size = blocks.stream().mapToLong(b -> b.length).sum();
        return new VersionRoot(AGUID, seq, predecessor, size, blocks.size(), BlockListHash.root(entries(blocks)),
                timestampMicros, Acl.ownerOnly(OWNER.publicKey()), digest("update " + seq));
    }

    static VersionRoot firstRoot(List<byte[]> blocks) {
        return root(1, Optional.empty(), blocks, 1_000_000);
    }

    /** An honest read stream: the root, the block list in chunks of {@code chunk}, then every block. */
    static List<ReadResponse> stream(VersionRoot root, List<byte[]> blocks, int chunk) {
        return stream(Protos.toProto(root), entries(blocks), blocks, chunk);
    }

    static List<ReadResponse> stream(ostore.api.v1.VersionRoot root, List<BlockListHash.Entry> list,
            List<byte[]> blocks, int chunk) {
        List<ReadResponse> out = new ArrayList<>();
        out.add(ReadResponse.newBuilder().setRoot(root).build());
        for (int first = 0; first < list.size(); first += chunk) {
            BlockListChunk.Builder c = BlockListChunk.newBuilder().setFirstIndex(first);
            for (int i = first; i < Math.min(list.size(), first + chunk); i++) {
                c.addBlocks(Protos.toProto(list.get(i)));
            }
            out.add(ReadResponse.newBuilder().setBlockList(c).build());
        }
        for (int i = 0; i < blocks.size(); i++) {
            out.add(ReadResponse.newBuilder()
                    .setBlock(BlockData.newBuilder().setIndex(i).setData(ByteString.copyFrom(blocks.get(i))))
                    .build());
        }
        return out;
    }

    /** Asserts {@code body} fails with {@code code} and a message containing {@code fragment}. */
    static OstoreException assertFails(Status.Code code, String fragment, Executable body) {
        OstoreException e = assertThrows(OstoreException.class, body);
        assertEquals(code, e.code(), e.getMessage());
        if (!e.getMessage().contains(fragment)) {
            throw new AssertionError("message \"" + e.getMessage() + "\" lacks \"" + fragment + "\"");
        }
        return e;
    }
}
