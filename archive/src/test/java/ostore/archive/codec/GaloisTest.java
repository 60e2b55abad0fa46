package ostore.archive.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GaloisTest {
    /** Schoolbook carry-less multiply, then reduction by 0x11d: shares nothing with the tables. */
    static int slowMultiply(int a, int b) {
        int product = 0;
        for (int bit = 0; bit < 8; bit++) {
            if ((b >> bit & 1) != 0) {
                product ^= a << bit;
            }
        }
        for (int bit = 14; bit >= 8; bit--) {
            if ((product >> bit & 1) != 0) {
                product ^= 0x11d << (bit - 8);
            }
        }
        return product;
    }

    @Test
    void everyProductMatchesCarrylessReference() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                assertEquals(slowMultiply(a, b), Galois.multiply(a, b), a + " * " + b);
                assertEquals(slowMultiply(a, b), Galois.multiplicationRow(a)[b] & 0xff, "table row " + a + ", " + b);
            }
        }
    }

    @Test
    void everyNonzeroElementHasTheInverseItShould() {
        for (int a = 1; a < 256; a++) {
            int inv = Galois.inverse(a);
            assertEquals(1, slowMultiply(a, inv), "a = " + a + ", inverse = " + inv);
            assertEquals(inv, Galois.divide(1, a));
        }
    }

    @Test
    void everyQuotientUndoesItsProduct() {
        for (int a = 0; a < 256; a++) {
            for (int b = 1; b < 256; b++) {
                assertEquals(a, Galois.divide(slowMultiply(a, b), b), a + " * " + b + " / " + b);
            }
        }
    }

    @Test
    void twoGeneratesTheWholeMultiplicativeGroup() {
        Set<Integer> powers = new HashSet<>();
        for (int n = 0; n < 255; n++) {
            int x = Galois.exp(n);
            assertTrue(powers.add(x), "2^" + n + " = " + x + " repeats an earlier power");
            assertEquals(n, Galois.log(x));
        }
        assertEquals(255, powers.size());
        assertEquals(1, Galois.exp(255), "the group has order 255");
        assertEquals(Galois.exp(7), Galois.exp(255 * 3 + 7));
    }

    @Test
    void additionIsXor() {
        assertEquals(0, Galois.add(0xa7, 0xa7));
        assertEquals(0x53 ^ 0xca, Galois.add(0x53, 0xca));
    }

    @Test
    void zeroHasNoInverseLogOrQuotient() {
        assertEquals("0 has no inverse in GF(256)",
                assertThrows(ArithmeticException.class, () -> Galois.inverse(0)).getMessage());
        assertThrows(ArithmeticException.class, () -> Galois.log(0));
        assertThrows(ArithmeticException.class, () -> Galois.divide(5, 0));
        assertEquals(0, Galois.divide(0, 9));
    }

    @Test
    void valuesOutsideTheFieldAreRefusedByName() {
        assertEquals("b (256) must be a field element in [0, 255]",
                assertThrows(IllegalArgumentException.class, () -> Galois.multiply(1, 256)).getMessage());
        assertEquals("a (-1) must be a field element in [0, 255]",
                assertThrows(IllegalArgumentException.class, () -> Galois.inverse(-1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Galois.exp(-1));
    }
}
