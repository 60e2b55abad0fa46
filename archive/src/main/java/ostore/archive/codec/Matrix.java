package ostore.archive.codec;

import java.util.Arrays;

/**
 * An immutable matrix over GF(256). Small (at most 256 x 256) and used only to derive coding
 * coefficients, never in the per-byte loop, so clarity wins over speed here.
 */
public final class Matrix {
    private final int rows;
    private final int columns;
    /** Row-major, one byte per element. */
    private final byte[] data;

    private Matrix(int rows, int columns, byte[] data) {
        this.rows = rows;
        this.columns = columns;
        this.data = data;
    }

    /** The {@code n x n} identity. */
    public static Matrix identity(int n) {
        byte[] d = new byte[Math.multiplyExact(n, n)];
        for (int i = 0; i < n; i++) {
            d[i * n + i] = 1;
        }
        return new Matrix(n, n, d);
    }

    /** Copies {@code rows}, which must be rectangular and non-empty. */
    public static Matrix of(byte[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("matrix must have at least one row");
        }
        int columns = rows[0].length;
        byte[] d = new byte[Math.multiplyExact(rows.length, columns)];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != columns) {
                throw new IllegalArgumentException(
                        "row " + r + " has " + rows[r].length + " columns, row 0 has " + columns);
            }
            System.arraycopy(rows[r], 0, d, r * columns, columns);
        }
        return new Matrix(rows.length, columns, d);
    }

    /** Copies a row-major array of {@code rows * columns} elements. */
    public static Matrix ofRowMajor(int rows, int columns, byte[] elements) {
        if (rows < 0 || columns < 0 || elements.length != (long) rows * columns) {
            throw new IllegalArgumentException("elements (" + elements.length + ") must be rows x columns ("
                    + rows + " x " + columns + ")");
        }
        return new Matrix(rows, columns, elements.clone());
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    /** The element at ({@code r}, {@code c}), in {@code [0, 255]}. */
    public int get(int r, int c) {
        return data[index(r, c)] & 0xff;
    }

    /** A copy of row {@code r}. */
    public byte[] row(int r) {
        index(r, 0);
        return Arrays.copyOfRange(data, r * columns, (r + 1) * columns);
    }

    /** A copy of the elements, row-major. */
    public byte[] toRowMajor() {
        return data.clone();
    }

    /** {@code this x other}. */
    public Matrix times(Matrix other) {
        if (columns != other.rows) {
            throw new IllegalArgumentException("cannot multiply " + rows + " x " + columns + " by "
                    + other.rows + " x " + other.columns + ": inner sizes differ");
        }
        byte[] d = new byte[Math.multiplyExact(rows, other.columns)];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < columns; i++) {
                byte[] products = Galois.multiplicationRow(data[r * columns + i] & 0xff);
                for (int c = 0; c < other.columns; c++) {
                    d[r * other.columns + c] ^= products[other.data[i * other.columns + c] & 0xff];
                }
            }
        }
        return new Matrix(rows, other.columns, d);
    }

    /** Rows {@code [rowFrom, rowTo)} and columns {@code [columnFrom, columnTo)}. */
    public Matrix submatrix(int rowFrom, int columnFrom, int rowTo, int columnTo) {
        if (rowFrom < 0 || rowFrom > rowTo || rowTo > rows || columnFrom < 0 || columnFrom > columnTo
                || columnTo > columns) {
            throw new IllegalArgumentException("submatrix rows [" + rowFrom + ", " + rowTo + ") columns ["
                    + columnFrom + ", " + columnTo + ") must lie within " + rows + " x " + columns);
        }
        int w = columnTo - columnFrom;
        byte[] d = new byte[(rowTo - rowFrom) * w];
        for (int r = rowFrom; r < rowTo; r++) {
            System.arraycopy(data, r * columns + columnFrom, d, (r - rowFrom) * w, w);
        }
        return new Matrix(rowTo - rowFrom, w, d);
    }

    /** The matrix made of the given rows of this one, in the order given. */
    public Matrix selectRows(int[] rowIndexes) {
        byte[] d = new byte[Math.multiplyExact(rowIndexes.length, columns)];
        for (int i = 0; i < rowIndexes.length; i++) {
            index(rowIndexes[i], 0);
            System.arraycopy(data, rowIndexes[i] * columns, d, i * columns, columns);
        }
        return new Matrix(rowIndexes.length, columns, d);
    }

    /**
     * The inverse, by Gauss-Jordan elimination on {@code [this | I]}.
     *
     * @throws IllegalArgumentException if the matrix is not square
     * @throws ArithmeticException if it is singular, naming the column that has no pivot
     */
    public Matrix invert() {
        if (rows != columns) {
            throw new IllegalArgumentException("only a square matrix has an inverse, not " + rows + " x " + columns);
        }
        int n = rows;
        byte[] a = data.clone();
        byte[] inv = identity(n).data;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            while (pivot < n && a[pivot * n + col] == 0) {
                pivot++;
            }
            if (pivot == n) {
                throw new ArithmeticException("matrix (" + n + " x " + n + ") is singular: column " + col
                        + " has no nonzero pivot at or below row " + col);
            }
            swapRows(a, n, pivot, col);
            swapRows(inv, n, pivot, col);
            scaleRow(a, inv, n, col, Galois.inverse(a[col * n + col] & 0xff));
            for (int r = 0; r < n; r++) {
                int factor = a[r * n + col] & 0xff;
                if (r != col && factor != 0) {
                    addScaledRow(a, inv, n, col, r, factor);
                }
            }
        }
        return new Matrix(n, n, inv);
    }

    private static void swapRows(byte[] m, int n, int i, int j) {
        if (i == j) {
            return;
        }
        for (int c = 0; c < n; c++) {
            byte t = m[i * n + c];
            m[i * n + c] = m[j * n + c];
            m[j * n + c] = t;
        }
    }

    private static void scaleRow(byte[] a, byte[] inv, int n, int r, int factor) {
        byte[] products = Galois.multiplicationRow(factor);
        for (int c = 0; c < n; c++) {
            a[r * n + c] = products[a[r * n + c] & 0xff];
            inv[r * n + c] = products[inv[r * n + c] & 0xff];
        }
    }

    /** Row {@code target} += {@code factor} x row {@code source}, in both halves. */
    private static void addScaledRow(byte[] a, byte[] inv, int n, int source, int target, int factor) {
        byte[] products = Galois.multiplicationRow(factor);
        for (int c = 0; c < n; c++) {
            a[target * n + c] ^= products[a[source * n + c] & 0xff];
            inv[target * n + c] ^= products[inv[source * n + c] & 0xff];
        }
    }

    private int index(int r, int c) {
        if (r < 0 || r >= rows || c < 0 || c >= columns) {
            throw new IndexOutOfBoundsException("(" + r + ", " + c + ") is outside " + rows + " x " + columns);
        }
        return r * columns + c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matrix m && rows == m.rows && columns == m.columns && Arrays.equals(data, m.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + columns) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            s.append(r == 0 ? "[" : " ");
            for (int c = 0; c < columns; c++) {
                s.append(String.format(c == 0 ? "%02x" : " %02x", get(r, c)));
            }
            s.append(r == rows - 1 ? "]" : "\n");
        }
        return s.toString();
    }
}
