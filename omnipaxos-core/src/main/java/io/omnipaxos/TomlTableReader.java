package io.omnipaxos;

import java.nio.file.Path;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Typed access to one table of a parsed TOML configuration file. Every error it raises is a
 * {@link ConfigException} whose message starts with {@code file:line:column:} (where the position is
 * known) and names the dotted key and the offending value, so a user can jump straight to the line.
 */
final class TomlTableReader {

    private final Path file;
    private final TomlTable table;
    /** Dotted path of this table followed by a dot, or empty for the root table. */
    private final String prefix;
    /** Where this table is declared; null for the root table. */
    private final TomlPosition position;

    private TomlTableReader(Path file, TomlTable table, String prefix, TomlPosition position) {
        this.file = file;
        this.table = table;
        this.prefix = prefix;
        this.position = position;
    }

    /** A reader of the root table of {@code file}. */
    static TomlTableReader root(Path file, TomlTable root) {
        return new TomlTableReader(file, root, "", null);
    }

    /** The keys of this table, in file order. */
    Set<String> keys() {
        return table.keySet();
    }

    boolean has(String key) {
        return table.get(List.of(key)) != null;
    }

    /** The dotted name of {@code key} as the user sees it, e.g. {@code server_config.pid}. */
    String dotted(String key) {
        return prefix + key;
    }

    /** The value of {@code key}, or null. The list form keeps keys that contain dots literal. */
    private Object raw(String key) {
        return table.get(List.of(key));
    }

    /**
     * An error about {@code key}, located at the key if it is in the file, else at this table (a
     * missing key is best looked for where its table starts).
     */
    ConfigException error(String key, String problem) {
        TomlPosition at = table.inputPositionOf(List.of(key));
        return new ConfigException(location(file, at != null ? at : position) + dotted(key) + ": " + problem);
    }

    /** Re-throws a validation error of the config records, prefixed by the file and the key's position. */
    ConfigException wrap(String key, ConfigException cause) {
        TomlPosition at = table.inputPositionOf(List.of(key));
        return new ConfigException(location(file, at != null ? at : position) + dotted(key) + ": "
                + cause.getMessage(), cause);
    }

    /** {@code file:line:column: }, or {@code file: } if the position is unknown. */
    static String location(Path file, TomlPosition at) {
        return at == null ? file + ": " : file + ":" + at.line() + ":" + at.column() + ": ";
    }

    /** A required integer of any 64-bit value (pids are 64-bit, as in the Rust library). */
    long requiredLong(String key) {
        Object value = raw(key);
        if (value == null) {
            throw error(key, "missing required key");
        }
        if (!(value instanceof Long l)) {
            throw error(key, "expected an integer, got " + describe(value) + " (" + typeName(value) + ")");
        }
        return l;
    }

    /** A required integer that must fit a Java {@code int}; larger values are errors, never truncated. */
    int requiredInt(String key) {
        long value = requiredLong(key);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw error(key, "expected a 32-bit integer, in [" + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE
                    + "], got " + value);
        }
        return (int) value;
    }

    int optionalInt(String key, int defaultValue) {
        return has(key) ? requiredInt(key) : defaultValue;
    }

    boolean optionalBoolean(String key, boolean defaultValue) {
        Object value = raw(key);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Boolean b)) {
            throw error(key, "expected true or false, got " + describe(value) + " (" + typeName(value) + ")");
        }
        return b;
    }

    Optional<String> optionalString(String key) {
        Object value = raw(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String s)) {
            throw error(key, "expected a string, got " + describe(value) + " (" + typeName(value) + ")");
        }
        return Optional.of(s);
    }

    /** A required array of integers, such as {@code peers = [1, 3]}. */
    List<Long> requiredLongList(String key) {
        Object value = raw(key);
        if (value == null) {
            throw error(key, "missing required key");
        }
        if (!(value instanceof TomlArray array)) {
            throw error(key, "expected an array of integers, got " + describe(value) + " (" + typeName(value) + ")");
        }
        var result = new ArrayList<Long>(array.size());
        for (int i = 0; i < array.size(); i++) {
            Object element = array.get(i);
            if (!(element instanceof Long l)) {
                // Point at the element itself: in a long list the key's position alone is not enough.
                throw new ConfigException(location(file, array.inputPositionOf(i)) + dotted(key) + "[" + i
                        + "]: expected an integer, got " + describe(element) + " (" + typeName(element)
                        + ") in " + describe(array));
            }
            result.add(l);
        }
        return result;
    }

    /** The sub-table {@code key}, if present; both {@code [a]} sections and inline tables qualify. */
    Optional<TomlTableReader> optionalTable(String key) {
        Object value = raw(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof TomlTable sub)) {
            throw error(key, "expected a table, got " + describe(value) + " (" + typeName(value) + ")");
        }
        return Optional.of(new TomlTableReader(file, sub, dotted(key) + ".", table.inputPositionOf(List.of(key))));
    }

    TomlTableReader requiredTable(String key) {
        return optionalTable(key).orElseThrow(() -> error(key, "missing required table [" + dotted(key) + "]"));
    }

    /** Rejects the first key of this table that is not in {@code known}, suggesting a close match. */
    void rejectUnknownKeys(Collection<String> known) {
        for (String key : keys()) {
            if (!known.contains(key)) {
                throw error(key, "unknown key (value " + describe(raw(key)) + ")" + suggestion(key, known));
            }
        }
    }

    /** A typo such as {@code elecion_tick_timeout} is one or two edits away from the intended key. */
    private static String suggestion(String key, Collection<String> known) {
        return known.stream()
                .filter(candidate -> editDistance(key, candidate) <= 2)
                .min(Comparator.comparingInt(candidate -> editDistance(key, candidate)))
                .map(candidate -> "; did you mean " + candidate + "?")
                .orElse("; expected one of " + String.join(", ", known));
    }

    /** Levenshtein distance, two rows at a time; keys are short, so this is cheap. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The value as it would be written in TOML, so users recognise what they typed. */
    static String describe(Object value) {
        if (value instanceof String s) {
            return "\"" + Toml.tomlEscape(s) + "\"";
        }
        if (value instanceof TomlArray array) {
            return array.toList().stream().map(TomlTableReader::describe).collect(Collectors.joining(", ", "[", "]"));
        }
        if (value instanceof TomlTable t) {
            return t.keySet().stream()
                    .map(k -> k + " = " + describe(t.get(List.of(k))))
                    .collect(Collectors.joining(", ", "{ ", " }"));
        }
        return String.valueOf(value);
    }

    static String typeName(Object value) {
        if (value instanceof String) {
            return "a string";
        } else if (value instanceof Long) {
            return "an integer";
        } else if (value instanceof Double) {
            return "a float";
        } else if (value instanceof Boolean) {
            return "a boolean";
        } else if (value instanceof TomlArray) {
            return "an array";
        } else if (value instanceof TomlTable) {
            return "a table";
        } else if (value instanceof Temporal) {
            return "a date/time";
        }
        return value.getClass().getSimpleName();
    }
}
