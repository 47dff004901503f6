package io.omnipaxos.examples.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses whole-number options, allowing {@code _} between digits ({@code --open-entries
 * 10_000_000}); a bad value is refused with a message picocli prefixes with the option's name.
 */
final class WholeNumbers {

    /** Converts {@code long} and {@code Long} options. */
    static final ITypeConverter<Long> LONGS = WholeNumbers::parseLong;
    /** Converts {@code int} and {@code Integer} options. */
    static final ITypeConverter<Integer> INTS = WholeNumbers::parseInt;

    private WholeNumbers() {}

    static long parseLong(String text) {
        try {
            return Long.parseLong(withoutUnderscores(text));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a whole number");
        }
    }

    static int parseInt(String text) {
        long value = parseLong(text);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new TypeConversionException("'" + text + "' is out of range (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) value;
    }

    private static String withoutUnderscores(String text) {
        if (text.startsWith("_") || text.endsWith("_") || text.contains("__")) {
            return text; // let parseLong refuse it
        }
        return text.replace("_", "");
    }
}
