package io.omnipaxos.examples.kv.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SegmentedMapTest {

    /** Random puts and removes on a map and its copies (copies of copies too) against plain hash maps. */
    @Test
    void everyCopyKeepsItsOwnEntriesWhateverTheOthersWrite() {
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            List<SegmentedMap> maps = new ArrayList<>(List.of(new SegmentedMap()));
            List<Map<String, String>> models = new ArrayList<>(List.of(new HashMap<>()));
            for (int step = 0; step < 5_000; step++) {
                int which = random.nextInt(maps.size());
                SegmentedMap map = maps.get(which);
                Map<String, String> model = models.get(which);
                String key = "k" + random.nextInt(3_000);
                int action = random.nextInt(100);
                if (action < 60) {
                    String value = "v" + step;
                    assertEquals(model.put(key, value), map.put(key, value), "seed " + seed + " step " + step);
                } else if (action < 90) {
                    assertEquals(model.remove(key), map.remove(key), "seed " + seed + " step " + step);
                } else if (action < 99 || maps.size() > 8) {
                    assertEquals(model.get(key), map.get(key), "seed " + seed + " step " + step);
                } else {
                    maps.add(map.copy());
                    models.add(new HashMap<>(model));
                }
            }
            for (int i = 0; i < maps.size(); i++) {
                assertEquals(models.get(i), contents(maps.get(i)), "seed " + seed + ", map " + i);
                assertEquals(models.get(i).size(), maps.get(i).size(), "seed " + seed + ", map " + i);
            }
        }
    }

    /** Segments of a hundred keys and more: long probe runs, growth, and removals that shift entries back. */
    @Test
    void aDenseMapAgreesWithAHashMapThroughPutsAndRemovals() {
        Random random = new Random(7);
        SegmentedMap map = new SegmentedMap();
        Map<String, String> model = new HashMap<>();
        for (int step = 0; step < 400_000; step++) {
            String key = "key" + random.nextInt(120_000);
            if (random.nextInt(100) < 55) {
                assertEquals(model.put(key, "v" + step), map.put(key, "v" + step), "step " + step);
            } else {
                assertEquals(model.remove(key), map.remove(key), "step " + step);
            }
            String probe = "key" + random.nextInt(120_000);
            assertEquals(model.get(probe), map.get(probe), "step " + step + ", " + probe);
        }
        assertEquals(model.size(), map.size());
        assertEquals(model, contents(map));
    }

    /** Keys a client chose to share one hash code ("Aa" and "BB" hash alike) must not cost a pass over each other. */
    @Test
    void keysWithOneHashCodeTurnTheirSegmentIntoAHashMap() {
        List<String> colliding = new ArrayList<>();
        for (int bits = 0; bits < 1 << 13; bits++) {
            StringBuilder key = new StringBuilder();
            for (int block = 0; block < 13; block++) {
                key.append((bits >>> block & 1) == 0 ? "Aa" : "BB");
            }
            colliding.add(key.toString());
        }
        assertEquals(1, colliding.stream().mapToInt(String::hashCode).distinct().count());
        SegmentedMap map = new SegmentedMap();
        Map<String, String> model = new HashMap<>();
        for (String key : colliding) {
            assertNull(map.put(key, "v-" + key));
            model.put(key, "v-" + key);
        }
        assertEquals(1, map.hashMapSegments());
        SegmentedMap copy = map.copy();
        for (int i = 0; i < colliding.size(); i += 2) {
            assertEquals("v-" + colliding.get(i), map.remove(colliding.get(i)));
        }
        assertEquals(colliding.size() / 2, map.size());
        assertEquals("v-" + colliding.get(1), map.get(colliding.get(1)));
        assertNull(map.get(colliding.get(0)));
        assertEquals(model, contents(copy), "the copy keeps every key");
    }

    /** The map keeps its arrays for keys that were not chosen to collide, however many. */
    @Test
    void ordinaryKeysKeepEverySegmentAnArrayTable() {
        SegmentedMap map = new SegmentedMap();
        for (int i = 0; i < 1_000_000; i++) {
            map.put("user:" + i, "v");
        }
        assertEquals(0, map.hashMapSegments());
    }

    @Test
    void removingAnAbsentKeyChangesNothing() {
        SegmentedMap map = new SegmentedMap();
        map.put("a", "1");
        SegmentedMap copy = map.copy();

        assertNull(map.remove("b"));
        assertNull(copy.remove("b"));

        assertEquals(1, map.size());
        assertEquals(Map.of("a", "1"), contents(copy));
    }

    /** The snapshot's use: a copy read on another thread while the original goes on changing every key. */
    @Test
    void aCopyReadOnAnotherThreadSeesTheEntriesOfItsMoment() throws Exception {
        SegmentedMap map = new SegmentedMap();
        for (int i = 0; i < 50_000; i++) {
            map.put("key" + i, "old" + i);
        }
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 5; round++) {
                SegmentedMap copy = map.copy();
                String expected = "round" + round + "-";
                Future<Map<String, String>> read = reader.submit(() -> contents(copy));
                for (int i = 0; i < 50_000; i++) {
                    map.put("key" + i, expected + i);
                    map.remove("key" + (i + 7) % 50_000);
                    map.put("key" + (i + 7) % 50_000, expected + ((i + 7) % 50_000));
                }
                Map<String, String> seen = read.get();
                assertEquals(50_000, seen.size());
                String before = round == 0 ? "old" : "round" + (round - 1) + "-";
                for (int i = 0; i < 50_000; i++) {
                    assertEquals(before + i, seen.get("key" + i), "round " + round + ", key" + i);
                }
            }
        } finally {
            reader.shutdownNow();
        }
    }

    private static Map<String, String> contents(SegmentedMap map) {
        Map<String, String> contents = new HashMap<>();
        map.forEach((key, value) -> assertNull(contents.put(key, value), "key " + key + " handed out twice"));
        return contents;
    }
}
