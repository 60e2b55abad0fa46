package ostore.node.wire;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ostore.crypto.Aguid;
import ostore.crypto.Bguid;
import ostore.crypto.PublicKey;
import ostore.crypto.Vguid;
import ostore.store.Action;
import ostore.store.Clause;
import ostore.store.Comparison;
import ostore.store.Creation;
import ostore.store.Predicate;
import ostore.store.Update;

/**
 * Turns a parsed {@code ostore.v1.Update} into its domain form. Every field the domain cannot
 * represent is refused with its full path ({@code clauses[0].actions[2].compare_block.bguid}),
 * because the sender is an arbitrary client and the path is all it gets back to find its bug.
 * Limits and ranges are not checked here: {@code UpdateValidator} owns those, at the edge and again
 * at execution.
 */
final class UpdateConverter {
    private UpdateConverter() {}

    /** @throws BadRequestException naming the first field the domain cannot represent */
    static Update toDomain(ostore.api.v1.Update proto) {
        Aguid aguid = new Aguid(WireFields.hash32(proto.getAguid(), "aguid"));
        List<Clause> clauses = new ArrayList<>(proto.getClausesCount());
        for (int i = 0; i < proto.getClausesCount(); i++) {
            clauses.add(clause(proto.getClauses(i), "clauses[" + i + "]"));
        }
        Optional<Creation> creation = proto.hasCreate()
                ? Optional.of(creation(proto.getCreate()))
                : Optional.empty();
        return new Update(aguid, proto.getNonce(), clauses, creation);
    }

    private static Creation creation(ostore.api.v1.Creation proto) {
        return new Creation(WireFields.publicKey(proto.getOwnerPublicKey(), "create.owner_public_key"), proto.getName());
    }

    private static Clause clause(ostore.api.v1.Clause proto, String path) {
        if (!proto.hasPredicate()) {
            throw new BadRequestException(path + ".predicate", "not set");
        }
        Predicate predicate = predicate(proto.getPredicate(), path + ".predicate");
        List<Action> actions = new ArrayList<>(proto.getActionsCount());
        for (int j = 0; j < proto.getActionsCount(); j++) {
            actions.add(action(proto.getActions(j), path + ".actions[" + j + "]"));
        }
        return new Clause(predicate, actions);
    }

    /**
     * Recursion depth is bounded by protobuf's parser (100 nested messages), so the recursion here
     * cannot overflow the stack; the node count is limited later by the validator.
     */
    private static Predicate predicate(ostore.api.v1.Predicate proto, String path) {
        return switch (proto.getKindCase()) {
            case ALWAYS -> new Predicate.Always();
            case COMPARE_VERSION -> new Predicate.CompareVersion(
                    comparison(proto.getCompareVersion().getOpValue(), path + ".compare_version.op"),
                    proto.getCompareVersion().getSeq());
            case COMPARE_VGUID -> new Predicate.CompareVguid(
                    new Vguid(WireFields.hash32(proto.getCompareVguid().getVguid(), path + ".compare_vguid.vguid")));
            case COMPARE_SIZE -> new Predicate.CompareSize(
                    comparison(proto.getCompareSize().getOpValue(), path + ".compare_size.op"),
                    proto.getCompareSize().getSize());
            case COMPARE_BLOCK -> new Predicate.CompareBlock(
                    proto.getCompareBlock().getIndex(),
                    new Bguid(WireFields.hash32(proto.getCompareBlock().getBguid(), path + ".compare_block.bguid")));
            case SEARCH -> new Predicate.Search(proto.getSearch().getNeedle().toByteArray());
            case AND -> new Predicate.And(operands(proto.getAnd().getOperandsList(), path + ".and"));
            case OR -> new Predicate.Or(operands(proto.getOr().getOperandsList(), path + ".or"));
            case NOT -> new Predicate.Not(notOperand(proto.getNot(), path + ".not"));
            case KIND_NOT_SET -> throw new BadRequestException(path, "not set");
        };
    }

    private static List<Predicate> operands(List<ostore.api.v1.Predicate> protos, String path) {
        List<Predicate> operands = new ArrayList<>(protos.size());
        for (int k = 0; k < protos.size(); k++) {
            operands.add(predicate(protos.get(k), path + ".operands[" + k + "]"));
        }
        return operands;
    }

    private static Predicate notOperand(ostore.api.v1.Not proto, String path) {
        if (!proto.hasOperand()) {
            throw new BadRequestException(path + ".operand", "not set");
        }
        return predicate(proto.getOperand(), path + ".operand");
    }

    private static Action action(ostore.api.v1.Action proto, String path) {
        return switch (proto.getKindCase()) {
            case REPLACE_BLOCK -> new Action.ReplaceBlock(
                    proto.getReplaceBlock().getIndex(), data(proto.getReplaceBlock().getData()));
            case INSERT_BLOCK -> new Action.InsertBlock(
                    proto.getInsertBlock().getIndex(), data(proto.getInsertBlock().getData()));
            case DELETE_BLOCK -> new Action.DeleteBlock(proto.getDeleteBlock().getIndex());
            case APPEND -> new Action.Append(data(proto.getAppend().getData()));
            case TRUNCATE -> new Action.Truncate(proto.getTruncate().getSize());
            case SET_ACL -> setAcl(proto.getSetAcl(), path + ".set_acl");
            case KIND_NOT_SET -> throw new BadRequestException(path, "not set");
        };
    }

    private static Action.SetAcl setAcl(ostore.api.v1.SetAcl proto, String path) {
        List<PublicKey> writers = new ArrayList<>(proto.getWritersCount());
        for (int k = 0; k < proto.getWritersCount(); k++) {
            writers.add(WireFields.publicKey(proto.getWriters(k), path + ".writers[" + k + "]"));
        }
        return new Action.SetAcl(writers, proto.getEncrypted());
    }

    private static Comparison comparison(int code, String path) {
        if (code < 1 || code > 6) {
            throw new BadRequestException(path, "must be one of EQ, NE, LT, LE, GT, GE (got " + code + ")");
        }
        return Comparison.fromCode(code);
    }

    private static Action.Data data(ByteString bytes) {
        return Action.Data.of(bytes.toByteArray());
    }
}
