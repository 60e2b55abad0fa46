package ostore.client;

import com.google.protobuf.ByteString;
import java.util.Objects;
import ostore.api.Protos;
import ostore.api.v1.Always;
import ostore.api.v1.And;
import ostore.api.v1.CompareBlock;
import ostore.api.v1.CompareSize;
import ostore.api.v1.CompareVersion;
import ostore.api.v1.CompareVguid;
import ostore.api.v1.Comparison;
import ostore.api.v1.Not;
import ostore.api.v1.Or;
import ostore.api.v1.Predicate;
import ostore.api.v1.Search;
import ostore.crypto.Bguid;
import ostore.crypto.Vguid;

/** Factories for update predicates; the proto comments in {@code ostore.proto} define their meaning. */
public final class Predicates {
    private Predicates() {}

    public static Predicate always() {
        return Predicate.newBuilder().setAlways(Always.getDefaultInstance()).build();
    }

    /** Holds if (latest seq) {@code op} {@code seq}; a missing object has seq 0. */
    public static Predicate version(Comparison op, long seq) {
        checkOp(op);
        checkNonNegative(seq, "seq");
        return Predicate.newBuilder()
                .setCompareVersion(CompareVersion.newBuilder().setOp(op).setSeq(seq))
                .build();
    }

    /** Holds if the latest version is {@code vguid}; never for a missing object. */
    public static Predicate vguid(Vguid vguid) {
        Objects.requireNonNull(vguid, "vguid");
        return Predicate.newBuilder()
                .setCompareVguid(CompareVguid.newBuilder().setVguid(Protos.toByteString(vguid)))
                .build();
    }

    /** Holds if (latest size) {@code op} {@code size}; a missing object has size 0. */
    public static Predicate size(Comparison op, long size) {
        checkOp(op);
        checkNonNegative(size, "size");
        return Predicate.newBuilder()
                .setCompareSize(CompareSize.newBuilder().setOp(op).setSize(size))
                .build();
    }

    /** Holds if the latest version's block {@code index} is named {@code bguid}. */
    public static Predicate block(long index, Bguid bguid) {
        checkNonNegative(index, "block index");
        Objects.requireNonNull(bguid, "bguid");
        return Predicate.newBuilder()
                .setCompareBlock(CompareBlock.newBuilder().setIndex(index).setBguid(Protos.toByteString(bguid)))
                .build();
    }

    /** Holds if the latest version's bytes contain {@code needle}; refused on encrypted objects. */
    public static Predicate search(byte[] needle) {
        Objects.requireNonNull(needle, "needle");
        return Predicate.newBuilder()
                .setSearch(Search.newBuilder().setNeedle(ByteString.copyFrom(needle)))
                .build();
    }

    public static Predicate and(Predicate... operands) {
        return Predicate.newBuilder().setAnd(And.newBuilder().addAllOperands(operands("and", operands))).build();
    }

    public static Predicate or(Predicate... operands) {
        return Predicate.newBuilder().setOr(Or.newBuilder().addAllOperands(operands("or", operands))).build();
    }

    public static Predicate not(Predicate operand) {
        Objects.requireNonNull(operand, "operand");
        return Predicate.newBuilder().setNot(Not.newBuilder().setOperand(operand)).build();
    }

    /** An empty and/or would hold vacuously or never; asking for one is almost surely a bug. */
    private static java.util.List<Predicate> operands(String op, Predicate[] operands) {
        Objects.requireNonNull(operands, op + " operands");
        if (operands.length == 0) {
            throw new IllegalArgumentException(op + " needs at least one operand, got 0");
        }
        for (int i = 0; i < operands.length; i++) {
            Objects.requireNonNull(operands[i], op + " operand " + i);
        }
        return java.util.List.of(operands);
    }

    private static void checkOp(Comparison op) {
        if (op == null || op == Comparison.COMPARISON_UNSPECIFIED || op == Comparison.UNRECOGNIZED) {
            throw new IllegalArgumentException("comparison (" + op + ") must be one of EQ, NE, LT, LE, GT, GE");
        }
    }

    static void checkNonNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " (" + value + ") must be >= 0");
        }
    }
}
