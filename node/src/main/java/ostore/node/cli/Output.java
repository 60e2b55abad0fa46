package ostore.node.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import ostore.api.Protos;
import ostore.api.v1.HistoryEntry;
import ostore.api.v1.Outcome;
import ostore.api.v1.UpdateReply;
import ostore.client.UpdateResult;
import ostore.crypto.Hash32;
import ostore.crypto.VersionRoot;
import ostore.node.Micros;

/**
 * What the commands print: one short line per result for people, or with {@code --json} the
 * result's protobuf message in proto3 JSON, one object per line, so scripts parse it with any JSON
 * library and field names match {@code ostore.proto}.
 */
final class Output {
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    private final PrintWriter out;
    private final boolean json;

    Output(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void update(UpdateResult result) {
        if (json) {
            UpdateReply.Builder reply = UpdateReply.newBuilder()
                    .setOutcome(result.committed() ? Outcome.COMMITTED : Outcome.ABORTED)
                    .setEntry(result.entry());
            if (result.root() != null) {
                reply.setVersion(Protos.toProto(result.root()));
            }
            printJson(reply);
        } else if (result.committed()) {
            out.println("committed " + describe(result.root()));
        } else {
            out.println("aborted: " + result.entry().getAbortReason()
                    + (result.root() == null ? " (no object yet)" : " (latest is " + describe(result.root()) + ")"));
        }
    }

    void version(VersionRoot root) {
        if (json) {
            printJson(Protos.toProto(root));
        } else {
            out.println(describe(root));
        }
    }

    void entry(HistoryEntry e) {
        if (json) {
            printJson(e);
            return;
        }
        String when = Micros.toInstant(e.getTimestampMicros()).toString();
        if (e.getOutcome() == Outcome.COMMITTED) {
            out.printf("#%d %s committed seq %d vguid %s (clause %d, nonce %s)%n", e.getIndex(), when, e.getSeq(),
                    Hash32.of(e.getVguid().toByteArray()).shortHex(), e.getClauseIndex(), Long.toUnsignedString(e.getNonce()));
        } else {
            out.printf("#%d %s aborted at seq %d: %s (nonce %s)%n", e.getIndex(), when, e.getSeq(), e.getAbortReason(),
                    Long.toUnsignedString(e.getNonce()));
        }
    }

    static String describe(VersionRoot root) {
        return "seq " + root.seq() + " vguid " + root.vguid().hash().shortHex() + " (" + root.size() + " bytes, "
                + root.blockCount() + (root.blockCount() == 1 ? " block, " : " blocks, ") + Micros.toInstant(root.timestampMicros()) + ")";
    }

    private void printJson(MessageOrBuilder message) {
        try {
            out.println(JSON.print(message));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("ostore.v1 messages have no Any fields, so JSON printing cannot fail", e);
        }
    }
}
