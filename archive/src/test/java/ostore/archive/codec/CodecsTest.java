package ostore.archive.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CodecsTest {
    private static final Optional<String> MISSING = Optional.of("libisal.so.2 not found: test");

    @Test
    void autoTakesIsalOnlyWhenItLoads() {
        assertTrue(Codecs.chooseIsal(Codecs.Preference.AUTO, Optional.empty()));
        assertFalse(Codecs.chooseIsal(Codecs.Preference.AUTO, MISSING));
    }

    @Test
    void javaIsAlwaysPossibleAndIsalFailsClearlyWhereItCannotLoad() {
        assertFalse(Codecs.chooseIsal(Codecs.Preference.JAVA, Optional.empty()));
        assertFalse(Codecs.chooseIsal(Codecs.Preference.JAVA, MISSING));
        assertTrue(Codecs.chooseIsal(Codecs.Preference.ISAL, Optional.empty()));
        assertEquals("ostore.codec=isal but ISA-L cannot load: libisal.so.2 not found: test",
                assertThrows(IllegalStateException.class,
                        () -> Codecs.chooseIsal(Codecs.Preference.ISAL, MISSING)).getMessage());
    }

    @Test
    void preferenceParsesItsThreeNamesAndNamesBadOnes() {
        assertEquals(Codecs.Preference.ISAL, Codecs.Preference.parse(" ISAL "));
        assertEquals(Codecs.Preference.JAVA, Codecs.Preference.parse("java"));
        assertEquals(Codecs.Preference.AUTO, Codecs.Preference.parse("auto"));
        assertEquals("ostore.codec (fast) must be one of isal, java, auto",
                assertThrows(IllegalArgumentException.class, () -> Codecs.Preference.parse("fast")).getMessage());
    }

    @Test
    void openRespectsAForcedJavaCodecAndChecksParameters() {
        ErasureCodec codec = Codecs.open(6, 3, Codecs.Preference.JAVA);
        assertInstanceOf(ReedSolomon.class, codec);
        assertEquals("vector-" + jdk.incubator.vector.ByteVector.SPECIES_PREFERRED.vectorBitSize(),
                ((ReedSolomon) codec).loop().name(), "tests run with the vector module");
        assertThrows(IllegalArgumentException.class, () -> Codecs.open(0, 3, Codecs.Preference.AUTO));
    }

    @Test
    void openTakesIsalWhereItLoads() {
        IsalRequirement.require();
        assertInstanceOf(IsalCodec.class, Codecs.open(10, 4, Codecs.Preference.AUTO));
        assertInstanceOf(IsalCodec.class, Codecs.open(10, 4, Codecs.Preference.ISAL));
    }
}
