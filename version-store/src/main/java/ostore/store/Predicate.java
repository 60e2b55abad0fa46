package ostore.store;

import java.util.List;
import java.util.Objects;
import ostore.crypto.Bguid;
import ostore.crypto.Vguid;

/** A condition on an object's latest version. A missing object has seq 0, size 0 and no blocks. */
public sealed interface Predicate {
    record Always() implements Predicate {}

    record CompareVersion(Comparison op, long seq) implements Predicate {
        public CompareVersion {
            Objects.requireNonNull(op, "op");
        }
    }

    /** Holds if the latest version's VGUID is {@code vguid}; never for a missing object. */
    record CompareVguid(Vguid vguid) implements Predicate {
        public CompareVguid {
            Objects.requireNonNull(vguid, "vguid");
        }
    }

    record CompareSize(Comparison op, long size) implements Predicate {
        public CompareSize {
            Objects.requireNonNull(op, "op");
        }
    }

    /** Holds if block {@code index} exists and is named {@code bguid}. */
    record CompareBlock(long index, Bguid bguid) implements Predicate {
        public CompareBlock {
            Objects.requireNonNull(bguid, "bguid");
        }
    }

    /** Holds if the latest version's bytes contain {@code needle}; plaintext objects only. */
    record Search(byte[] needle) implements Predicate {
        public Search {
            needle = needle.clone();
        }

        @Override
        public byte[] needle() {
            return needle.clone();
        }

        /** The needle's length in bytes, without copying it. */
        public int length() {
            return needle.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Search s && java.util.Arrays.equals(needle, s.needle);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(needle);
        }

        @Override
        public String toString() {
            return "Search[" + needle.length + " bytes]";
        }
    }

    record And(List<Predicate> operands) implements Predicate {
        public And {
            operands = List.copyOf(operands);
        }
    }

    record Or(List<Predicate> operands) implements Predicate {
        public Or {
            operands = List.copyOf(operands);
        }
    }

    record Not(Predicate operand) implements Predicate {
        public Not {
            Objects.requireNonNull(operand, "operand");
        }
    }
}
