package io.omnipaxos.storage.persistent;

import java.util.ArrayList;
import java.util.List;

/** Test entries that name their number, so a misplaced or missing one shows in an assertion. */
final class NumberedEntries {

    private NumberedEntries() {}

    /** {@code prefix-000from} up to, not including, {@code prefix-000to}. */
    static List<String> entries(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(String.format("%s-%06d", prefix, i));
        }
        return out;
    }
}
