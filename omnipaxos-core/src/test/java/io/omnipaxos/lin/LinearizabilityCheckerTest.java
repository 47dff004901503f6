package io.omnipaxos.lin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.lin.LinearizabilityChecker.Model;
import io.omnipaxos.lin.LinearizabilityChecker.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The checker on a register: write(v) returns "ok", read() returns the value (or "" at first). */
class LinearizabilityCheckerTest {

    /** Input "w:v" writes v; input "r" reads. */
    private static final Model<String, String, String> REGISTER = new Model<>() {
        @Override
        public String initial() {
            return "";
        }

        @Override
        public Optional<String> step(String state, String input, String output) {
            if (input.startsWith("w:")) {
                return output == null || output.equals("ok") ? Optional.of(input.substring(2)) : Optional.empty();
            }
            return output == null || output.equals(state) ? Optional.of(state) : Optional.empty();
        }
    };

    private static Operation<String, String> op(long client, String in, String out, long from, long to) {
        return new Operation<>(client, in, out, from, to);
    }

    private static boolean linearizable(List<Operation<String, String>> history) {
        return LinearizabilityChecker.check(REGISTER, history).linearizable();
    }

    @Test
    void aSequentialHistoryIsLinearizable() {
        assertTrue(linearizable(List.of(op(1, "w:a", "ok", 0, 1), op(2, "r", "a", 2, 3), op(1, "w:b", "ok", 4, 5),
                op(2, "r", "b", 6, 7))));
    }

    @Test
    void aStaleReadAfterTheWriteReturnedIsNot() {
        var result = LinearizabilityChecker.check(REGISTER, List.of(op(1, "w:a", "ok", 0, 1), op(1, "w:b", "ok", 2, 3),
                op(2, "r", "a", 4, 5)));
        assertFalse(result.linearizable());
        assertTrue(result.explanation().contains("not linearizable"), result.explanation());
    }

    @Test
    void aReadConcurrentWithAWriteMaySeeEitherValue() {
        assertTrue(linearizable(List.of(op(1, "w:a", "ok", 0, 1), op(1, "w:b", "ok", 2, 10), op(2, "r", "a", 3, 4))));
        assertTrue(linearizable(List.of(op(1, "w:a", "ok", 0, 1), op(1, "w:b", "ok", 2, 10), op(2, "r", "b", 3, 4))));
    }

    @Test
    void onceAReadSawTheNewValueALaterReadMayNotSeeTheOld() {
        assertFalse(linearizable(List.of(op(1, "w:a", "ok", 0, 1), op(1, "w:b", "ok", 2, 10), op(2, "r", "b", 3, 4),
                op(3, "r", "a", 5, 6))));
    }

    @Test
    void aWriteThatNeverReturnedMayOrMayNotHaveTakenEffect() {
        long never = Operation.NEVER;
        assertTrue(linearizable(List.of(op(1, "w:a", null, 0, never), op(2, "r", "", 1, 2))));
        assertTrue(linearizable(List.of(op(1, "w:a", null, 0, never), op(2, "r", "a", 1, 2))));
        assertFalse(linearizable(List.of(op(1, "w:a", null, 5, never), op(2, "r", "a", 1, 2))),
                "it cannot take effect before it was invoked");
        assertFalse(linearizable(List.of(op(1, "w:a", null, 0, never), op(2, "r", "a", 1, 2), op(2, "r", "", 3, 4))));
    }

    @Test
    void aLongHistoryOfOverlappingOperationsFromARealRegisterChecks() {
        Random random = new Random(7);
        List<Operation<String, String>> history = new ArrayList<>();
        String value = "";
        long time = 0;
        for (int i = 0; i < 400; i++) {
            // Each operation takes effect at 'time' and spans a random window around it.
            long from = time - random.nextInt(5);
            long to = time + random.nextInt(5);
            if (random.nextBoolean()) {
                value = "v" + i;
                history.add(op(i % 8, "w:" + value, "ok", from, to));
            } else {
                history.add(op(i % 8, "r", value, from, to));
            }
            time += 3;
        }
        assertTrue(linearizable(history));
        List<Operation<String, String>> broken = new ArrayList<>(history);
        broken.add(new Operation<>(99, "r", "v-never-written", time + 10, time + 11));
        assertFalse(linearizable(broken));
    }
}
