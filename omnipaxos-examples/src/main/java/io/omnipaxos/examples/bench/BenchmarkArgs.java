package io.omnipaxos.examples.bench;

import java.util.HashMap;
import java.util.Map;

/** Parses {@code --name value} options of the benchmark programs, naming any bad one. */
public final class BenchmarkArgs {

    private final Map<String, String> values;

    private BenchmarkArgs(Map<String, String> values) {
        this.values = values;
    }

    /** Reads pairs of {@code --name value}. */
    public static BenchmarkArgs parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[++i]);
        }
        return new BenchmarkArgs(values);
    }

    /** The option as a whole number, or {@code fallback} if absent. */
    public long getLong(String name, long fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + value + "'", e);
        }
    }

    /** The option as text, or {@code fallback} if absent. */
    public String getString(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }
}
