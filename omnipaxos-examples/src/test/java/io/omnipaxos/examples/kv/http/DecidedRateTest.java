package io.omnipaxos.examples.kv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DecidedRateTest {

    @Test
    void countsWhatEachSecondDecidedAndStartsAgainWithANewConfiguration() {
        DecidedRate rate = new DecidedRate();
        assertEquals("[]", rate.toJson());
        rate.sample(1, 100); // the first sample of a configuration has no second before it
        rate.sample(1, 250);
        rate.sample(1, 250);
        rate.sample(2, 1); // a new configuration: its log starts again
        rate.sample(2, 41);
        rate.sample(-1, 0); // between configurations
        assertEquals("[0,150,0,0,40,0]", rate.toJson());
    }

    @Test
    void keepsOnlyTheLastFiveMinutes() {
        DecidedRate rate = new DecidedRate();
        for (int second = 0; second <= DecidedRate.SECONDS + 10; second++) {
            rate.sample(1, (long) second * second);
        }
        String json = rate.toJson();
        String[] counts = json.substring(1, json.length() - 1).split(",");
        assertEquals(DecidedRate.SECONDS, counts.length);
        int last = DecidedRate.SECONDS + 10;
        assertEquals(Long.toString((long) last * last - (long) (last - 1) * (last - 1)), counts[counts.length - 1]);
        int first = last - DecidedRate.SECONDS + 1;
        assertEquals(Long.toString((long) first * first - (long) (first - 1) * (first - 1)), counts[0]);
    }
}
