package ostore.client;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Objects;
import ostore.api.Protos;
import ostore.api.v1.Action;
import ostore.api.v1.Append;
import ostore.api.v1.DeleteBlock;
import ostore.api.v1.InsertBlock;
import ostore.api.v1.ReplaceBlock;
import ostore.api.v1.SetAcl;
import ostore.api.v1.Truncate;
import ostore.crypto.PublicKey;

/**
 * Factories for update actions; the proto comments in {@code ostore.proto} define their meaning.
 * Limits that depend on the server (maximum block size, block count) are checked by the server.
 */
public final class Actions {
    private Actions() {}

    /** Appends {@code data}, which the server cuts into blocks of at most its maximum block size. */
    public static Action append(byte[] data) {
        Objects.requireNonNull(data, "data");
        return Action.newBuilder().setAppend(Append.newBuilder().setData(ByteString.copyFrom(data))).build();
    }

    public static Action replaceBlock(long index, byte[] data) {
        Predicates.checkNonNegative(index, "block index");
        Objects.requireNonNull(data, "data");
        return Action.newBuilder()
                .setReplaceBlock(ReplaceBlock.newBuilder().setIndex(index).setData(ByteString.copyFrom(data)))
                .build();
    }

    /** Inserts a block before {@code index}; {@code index} equal to the block count appends. */
    public static Action insertBlock(long index, byte[] data) {
        Predicates.checkNonNegative(index, "block index");
        Objects.requireNonNull(data, "data");
        return Action.newBuilder()
                .setInsertBlock(InsertBlock.newBuilder().setIndex(index).setData(ByteString.copyFrom(data)))
                .build();
    }

    public static Action deleteBlock(long index) {
        Predicates.checkNonNegative(index, "block index");
        return Action.newBuilder().setDeleteBlock(DeleteBlock.newBuilder().setIndex(index)).build();
    }

    public static Action truncate(long size) {
        Predicates.checkNonNegative(size, "truncate size");
        return Action.newBuilder().setTruncate(Truncate.newBuilder().setSize(size)).build();
    }

    /** Replaces the writer list and the encrypted flag; only the owner may sign this. */
    public static Action setAcl(List<PublicKey> writers, boolean encrypted) {
        Objects.requireNonNull(writers, "writers");
        SetAcl.Builder b = SetAcl.newBuilder().setEncrypted(encrypted);
        for (int i = 0; i < writers.size(); i++) {
            b.addWriters(Protos.toByteString(Objects.requireNonNull(writers.get(i), "writers[" + i + "]")));
        }
        return Action.newBuilder().setSetAcl(b).build();
    }
}
