package ostore.archive.codec;

/**
 * Arithmetic in GF(2^8) with the reducing polynomial x^8 + x^4 + x^3 + x^2 + 1 ({@code 0x11d}),
 * the field ISA-L uses. Fragments written today must decode decades from now with whatever library
 * is at hand, so the field is fixed here once and must never change: a different polynomial gives
 * a different code.
 *
 * <p>Elements are ints in {@code [0, 255]}. Addition is XOR. Multiplication uses log/exp tables with
 * the generator 2 (primitive for {@code 0x11d}); the coding loops use the full 256 x 256 product
 * table instead, which turns a multiply into one array load.
 */
public final class Galois {
    /** Number of field elements. */
    public static final int FIELD_SIZE = 256;
    /** The reducing polynomial, including its x^8 term. */
    public static final int POLYNOMIAL = 0x11d;

    /** {@code LOG[a]} for a != 0; {@code LOG[0]} is unused. */
    private static final int[] LOG = new int[FIELD_SIZE];
    /** {@code EXP[i] = 2^i}; doubled in length so a sum of two logs needs no reduction mod 255. */
    private static final int[] EXP = new int[2 * (FIELD_SIZE - 1)];
    /** {@code MULTIPLICATION[a][b] = a * b}, as bytes so a row is a ready lookup table for a loop. */
    private static final byte[][] MULTIPLICATION = new byte[FIELD_SIZE][FIELD_SIZE];

    static {
        int x = 1;
        for (int i = 0; i < FIELD_SIZE - 1; i++) {
            EXP[i] = x;
            EXP[i + FIELD_SIZE - 1] = x;
            LOG[x] = i;
            x <<= 1;
            if (x >= FIELD_SIZE) {
                x ^= POLYNOMIAL;
            }
        }
        // 2 is a generator only if its powers come back to 1 after exactly 255 steps.
        if (x != 1) {
            throw new AssertionError("2 does not generate GF(256) under 0x11d");
        }
        for (int a = 0; a < FIELD_SIZE; a++) {
            for (int b = 0; b < FIELD_SIZE; b++) {
                MULTIPLICATION[a][b] = (byte) logMultiply(a, b);
            }
        }
    }

    private Galois() {}

    /** {@code a + b} (and {@code a - b}: the field has characteristic 2). */
    public static int add(int a, int b) {
        return checked(a, "a") ^ checked(b, "b");
    }

    /** {@code a * b}. */
    public static int multiply(int a, int b) {
        return MULTIPLICATION[checked(a, "a")][checked(b, "b")] & 0xff;
    }

    /** {@code a / b}; {@code b} must not be 0. */
    public static int divide(int a, int b) {
        checked(a, "a");
        if (checked(b, "b") == 0) {
            throw new ArithmeticException("division by zero in GF(256) (a = " + a + ")");
        }
        return a == 0 ? 0 : EXP[LOG[a] + FIELD_SIZE - 1 - LOG[b]];
    }

    /** The multiplicative inverse of {@code a}, which must not be 0. */
    public static int inverse(int a) {
        if (checked(a, "a") == 0) {
            throw new ArithmeticException("0 has no inverse in GF(256)");
        }
        return EXP[FIELD_SIZE - 1 - LOG[a]];
    }

    /** {@code 2^n} for any {@code n >= 0}. */
    public static int exp(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("exponent (" + n + ") must be >= 0");
        }
        return EXP[n % (FIELD_SIZE - 1)];
    }

    /** The discrete logarithm of {@code a} to base 2, in {@code [0, 254]}; {@code a} must not be 0. */
    public static int log(int a) {
        if (checked(a, "a") == 0) {
            throw new ArithmeticException("log of 0 is undefined in GF(256)");
        }
        return LOG[a];
    }

    /**
     * The products {@code c * b} for every b, indexed by b. Shared, not copied, because the coding
     * loops read it for every byte: callers must never write to it.
     */
    static byte[] multiplicationRow(int c) {
        return MULTIPLICATION[c];
    }

    private static int logMultiply(int a, int b) {
        return a == 0 || b == 0 ? 0 : EXP[LOG[a] + LOG[b]];
    }

    private static int checked(int value, String name) {
        if ((value & ~0xff) != 0) {
            throw new IllegalArgumentException(name + " (" + value + ") must be a field element in [0, 255]");
        }
        return value;
    }
}
