package io.omnipaxos.examples.kv.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@link RecordedReplies} agrees with a sorted map under in-order, out-of-order and acknowledging use. */
class RecordedRepliesTest {

    @Test
    void inOrderRepliesLeaveFromTheFront() {
        RecordedReplies replies = new RecordedReplies();
        for (long n = 1; n <= 10; n++) {
            replies.put(n, KvReply.ok(n));
        }
        assertEquals(4, replies.removeUpTo(4));
        assertNull(replies.get(4));
        assertEquals(KvReply.ok(5), replies.get(5));
        assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L), numbers(replies));
        assertEquals(0, replies.removeUpTo(4), "nothing left to remove");
    }

    @Test
    void aReplyOutOfOrderIsInsertedInPlaceAndAReplacedOneStaysOnce() {
        RecordedReplies replies = new RecordedReplies();
        replies.put(10, KvReply.ok(10));
        replies.put(3, KvReply.ok(3));
        replies.put(7, KvReply.ok(7));
        replies.put(7, KvReply.notFound(7));
        assertEquals(List.of(3L, 7L, 10L), numbers(replies));
        assertEquals(KvReply.notFound(7), replies.get(7));
        assertEquals(3, replies.size());
    }

    @Test
    void agreesWithASortedMapOverManyRandomOperations() {
        for (long seed = 0; seed < 50; seed++) {
            Random random = new Random(seed);
            RecordedReplies replies = new RecordedReplies();
            NavigableMap<Long, KvReply> model = new TreeMap<>();
            long next = 1;
            long acked = 0;
            for (int step = 0; step < 5_000; step++) {
                int dice = random.nextInt(10);
                if (dice < 6) { // a new request, in order or (a retry overtaken) a bit behind
                    long number = dice == 0 ? Math.max(acked + 1, next - 1 - random.nextInt(20)) : next++;
                    KvReply reply = KvReply.value(number, "v" + step);
                    replies.put(number, reply);
                    model.put(number, reply);
                } else if (dice < 8) { // the client acknowledges a prefix
                    acked = Math.min(next - 1, acked + random.nextInt(40));
                    Map<Long, KvReply> answered = model.headMap(acked, true);
                    int expected = answered.size();
                    answered.clear();
                    assertEquals(expected, replies.removeUpTo(acked), "seed " + seed + " step " + step);
                } else {
                    long number = acked + random.nextInt((int) (next - acked) + 5);
                    assertEquals(model.get(number), replies.get(number), "seed " + seed + " step " + step);
                }
                assertEquals(model.size(), replies.size(), "seed " + seed + " step " + step);
            }
            assertEquals(new ArrayList<>(model.values()), list(replies), "seed " + seed);
            assertEquals(list(replies), list(replies.copy()), "a copy holds the same, in order");
        }
    }

    private static List<Long> numbers(RecordedReplies replies) {
        return list(replies).stream().map(KvReply::requestNumber).toList();
    }

    private static List<KvReply> list(RecordedReplies replies) {
        List<KvReply> all = new ArrayList<>();
        replies.forEach(all::add);
        return all;
    }
}
