package ostore.archive.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MatrixTest {
    static Matrix random(SplittableRandom random, int rows, int columns) {
        byte[] d = new byte[rows * columns];
        random.nextBytes(d);
        return Matrix.ofRowMajor(rows, columns, d);
    }

    @Test
    void productFollowsTheDefinition() {
        Matrix a = Matrix.of(new byte[][] {{1, 2}, {3, 4}});
        Matrix b = Matrix.of(new byte[][] {{5, 6}, {7, 8}});
        Matrix ab = a.times(b);
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 2; c++) {
                int expected = GaloisTest.slowMultiply(a.get(r, 0), b.get(0, c))
                        ^ GaloisTest.slowMultiply(a.get(r, 1), b.get(1, c));
                assertEquals(expected, ab.get(r, c), "(" + r + ", " + c + ")");
            }
        }
        // 1*5 ^ 2*7 = 5 ^ 14 and 3*6 ^ 4*8 = 10 ^ 32 in GF(256).
        assertEquals(5 ^ 14, ab.get(0, 0));
        assertEquals(10 ^ 32, ab.get(1, 1));
    }

    @Test
    void randomInvertibleMatricesRoundTrip() {
        SplittableRandom random = new SplittableRandom(0x4d41545249L);
        int inverted = 0;
        for (int trial = 0; trial < 400; trial++) {
            int n = 1 + random.nextInt(trial < 300 ? 12 : 64);
            Matrix a = random(random, n, n);
            Matrix inverse;
            try {
                inverse = a.invert();
            } catch (ArithmeticException singular) {
                continue;
            }
            inverted++;
            assertEquals(Matrix.identity(n), a.times(inverse), "A x A^-1, n = " + n);
            assertEquals(Matrix.identity(n), inverse.times(a), "A^-1 x A, n = " + n);
            assertEquals(a, inverse.invert(), "(A^-1)^-1, n = " + n);
        }
        // About 1 in 256 random matrices is singular; most must have been exercised.
        assertEquals(true, inverted > 380, "only " + inverted + " of 400 were invertible");
    }

    @Test
    void singularMatrixNamesTheColumnWithoutPivot() {
        Matrix a = Matrix.of(new byte[][] {{1, 2, 3}, {2, 4, 6}, {0, 0, 1}});
        ArithmeticException e = assertThrows(ArithmeticException.class, a::invert);
        assertEquals("matrix (3 x 3) is singular: column 1 has no nonzero pivot at or below row 1", e.getMessage());
        Matrix zero = Matrix.ofRowMajor(2, 2, new byte[4]);
        assertThrows(ArithmeticException.class, zero::invert);
    }

    @Test
    void nonSquareCannotBeInvertedNorMismatchedMultiplied() {
        Matrix a = Matrix.ofRowMajor(2, 3, new byte[6]);
        assertEquals("only a square matrix has an inverse, not 2 x 3",
                assertThrows(IllegalArgumentException.class, a::invert).getMessage());
        assertEquals("cannot multiply 2 x 3 by 2 x 3: inner sizes differ",
                assertThrows(IllegalArgumentException.class, () -> a.times(a)).getMessage());
    }

    @Test
    void submatrixAndSelectedRowsCopyTheRightElements() {
        Matrix a = random(new SplittableRandom(7), 5, 4);
        Matrix sub = a.submatrix(1, 2, 4, 4);
        assertEquals(3, sub.rows());
        assertEquals(2, sub.columns());
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 2; c++) {
                assertEquals(a.get(r + 1, c + 2), sub.get(r, c));
            }
        }
        Matrix picked = a.selectRows(new int[] {4, 0});
        assertArrayEquals(a.row(4), picked.row(0));
        assertArrayEquals(a.row(0), picked.row(1));
        assertThrows(IllegalArgumentException.class, () -> a.submatrix(0, 0, 6, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> a.selectRows(new int[] {5}));
    }

    @Test
    void matricesAreNotChangedThroughWhatTheyReturnOrWereGiven() {
        byte[] elements = {1, 0, 0, 1};
        Matrix a = Matrix.ofRowMajor(2, 2, elements);
        elements[0] = 9;
        a.row(0)[0] = 9;
        a.toRowMajor()[0] = 9;
        assertEquals(Matrix.identity(2), a);
    }
}
