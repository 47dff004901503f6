package io.omnipaxos.sim;

import io.omnipaxos.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The simulator's {@link Snapshot} for string entries: a snapshot lists every entry it stands for,
 * so the {@link SafetyChecker} can compare it, value by value, with the decided log.
 */
public final class ListSnapshot implements Snapshot<String> {

    /** The shared instance (stateless). */
    public static final ListSnapshot INSTANCE = new ListSnapshot();

    private static final String PREFIX = "snapshot:";

    private ListSnapshot() {}

    @Override
    public String create(List<String> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a snapshot of no entries");
        }
        return PREFIX + String.join("|", entries);
    }

    @Override
    public String merge(String base, String delta) {
        return base + "|" + delta.substring(PREFIX.length());
    }

    /** The entries a snapshot stands for, in log order. */
    public static List<String> entriesOf(String snapshot) {
        if (!snapshot.startsWith(PREFIX)) {
            throw new AssertionError("not a snapshot: " + snapshot);
        }
        return new ArrayList<>(Arrays.asList(snapshot.substring(PREFIX.length()).split("\\|")));
    }
}
