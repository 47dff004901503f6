package io.omnipaxos.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class WholeNumbersTest {

    @Test
    void underscoresBetweenDigitsAreAllowed() {
        assertEquals(10_000_000L, WholeNumbers.parseLong("10_000_000"));
        assertEquals(250, WholeNumbers.parseInt("250"));
    }

    @Test
    void badValuesAreNamedInTheMessage() {
        assertEquals("'ten' is not a whole number",
                assertThrows(TypeConversionException.class, () -> WholeNumbers.parseLong("ten")).getMessage());
        assertThrows(TypeConversionException.class, () -> WholeNumbers.parseLong("_1"));
        assertThrows(TypeConversionException.class, () -> WholeNumbers.parseInt("3000000000"));
    }
}
