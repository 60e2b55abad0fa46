package ostore.store;

/** A comparison in a predicate. The codes are the wire values of {@code ostore.v1.Comparison}. */
public enum Comparison {
    EQ(1, "="),
    NE(2, "!="),
    LT(3, "<"),
    LE(4, "<="),
    GT(5, ">"),
    GE(6, ">=");

    private final int code;
    private final String symbol;

    Comparison(int code, String symbol) {
        this.code = code;
        this.symbol = symbol;
    }

    public int code() {
        return code;
    }

    public String symbol() {
        return symbol;
    }

    public static Comparison fromCode(int code) {
        for (Comparison c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        throw new IllegalArgumentException("comparison code (" + code + ") must be 1..6");
    }

    /** {@code actual <op> expected}, unsigned. */
    public boolean test(long actual, long expected) {
        int c = Long.compareUnsigned(actual, expected);
        return switch (this) {
            case EQ -> c == 0;
            case NE -> c != 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
        };
    }
}
