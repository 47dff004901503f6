package io.omnipaxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.codec.StringCodec;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.Prepare;
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.SequencePaxosMessage;
import io.omnipaxos.sim.ListStorage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A new leader whose most up-to-date follower holds a log longer than one message gets it in parts:
 * each Promise stays within {@code max_message_bytes}, the leader makes each part its own under the
 * follower's round and prepares again, and the prepare phase ends with the whole log adopted.
 */
class PromiseInPartsTest {

    private static final int CONFIG = 1;
    private static final List<Long> NODES = List.of(1L, 2L, 3L);
    private static final int BUDGET = 2048;
    private static final int ENTRY_CHARS = 500;
    private static final int LONG_LOG = 60;
    /** The round in which server 2 accepted its long log (lower than any ballot server 1 is elected with). */
    private static final Ballot OLD_ROUND = new Ballot(0, 0, 2);

    private final Map<Long, ListStorage<String>> storages = new HashMap<>();
    private final Map<Long, OmniPaxos<String>> servers = new HashMap<>();
    private final List<Promise<String>> promisesFromServer2 = new ArrayList<>();

    private static String entry(int i) {
        String digits = Integer.toString(i);
        return digits + "x".repeat(ENTRY_CHARS - digits.length());
    }

    private static List<String> longLog() {
        List<String> log = new ArrayList<>();
        for (int i = 0; i < LONG_LOG; i++) {
            log.add(entry(i));
        }
        return log;
    }

    private static long entryBytes(List<String> entries) {
        return entries.stream().mapToLong(e -> 4L + StringCodec.INSTANCE.encodedSize(e)).sum();
    }

    private OmniPaxos<String> start(long pid) {
        ListStorage<String> storage = storages.computeIfAbsent(pid, p -> new ListStorage<>());
        OmniPaxos<String> server = OmniPaxosConfig.builder().configurationId(CONFIG).pid(pid).nodes(NODES)
                .maxMessageBytes(BUDGET).build().build(storage, null, StringCodec.INSTANCE);
        servers.put(pid, server);
        return server;
    }

    /**
     * Server 2 accepted 60 entries of 508 bytes in an old round, the first 10 decided with server 3,
     * which holds only those; server 1 is empty.
     */
    private void startWithLongLogOnServer2() {
        storages.put(2L, acceptedInOldRound(longLog()));
        storages.put(3L, acceptedInOldRound(longLog().subList(0, 10)));
        start(1);
        start(2);
        start(3);
    }

    private static ListStorage<String> acceptedInOldRound(List<String> entries) {
        ListStorage<String> storage = new ListStorage<>();
        storage.appendEntries(entries);
        storage.setPromise(OLD_ROUND);
        storage.setAcceptedRound(OLD_ROUND);
        storage.setDecidedIdx(10);
        return storage;
    }

    /** Server 1 is elected: it hears from both peers over two heartbeat rounds, as in MessageBudgetTest. */
    private void electServer1() {
        TestElections.electSelf(servers.get(1L), CONFIG, 1, NODES);
    }

    /**
     * Delivers Sequence Paxos messages between the servers in {@code up} (leader election is left
     * out); messages to or from the others are lost.
     */
    private void exchange(int rounds, List<Long> up) {
        for (int round = 0; round < rounds; round++) {
            List<Message<String>> inFlight = new ArrayList<>();
            for (long pid : up) {
                inFlight.addAll(servers.get(pid).outgoingMessages());
            }
            for (Message<String> message : inFlight) {
                if (!up.contains(message.to())) {
                    continue;
                }
                if (message instanceof Promise<String> p && p.from() == 2) {
                    promisesFromServer2.add(p);
                }
                if (message instanceof SequencePaxosMessage<String>) {
                    servers.get(message.to()).handleIncoming(message);
                }
            }
        }
    }

    @Test
    void aLogLongerThanOneMessageIsAdoptedInParts() {
        startWithLongLogOnServer2();
        electServer1();
        servers.get(3L).outgoingMessages();
        exchange(60, List.of(1L, 2L)); // server 3 is cut off: every quorum needs server 2

        assertEquals(longLog(), storages.get(1L).getEntries(0, LONG_LOG), "the leader adopted the whole log");
        assertTrue(servers.get(1L).getCurrentLeaderInfo().orElseThrow().accepting());
        assertTrue(promisesFromServer2.size() >= 15,
                "60 entries of 508 bytes need at least 15 promises of 2 KiB, got " + promisesFromServer2.size());
        for (Promise<String> p : promisesFromServer2) {
            assertTrue(entryBytes(p.suffix()) <= BUDGET, entryBytes(p.suffix()) + " bytes in one promise");
        }

        servers.get(1L).reconnected(3);
        servers.get(1L).append("after");
        for (int i = 0; i < ServerConfig.DEFAULT_FLUSH_BATCH_TICK_TIMEOUT; i++) {
            servers.get(1L).tick();
        }
        exchange(60, NODES);
        assertEquals(longLog(), storages.get(3L).getEntries(0, LONG_LOG), "server 3 got the adopted log too");
        for (long pid : NODES) {
            assertEquals(LONG_LOG + 1, servers.get(pid).getDecidedIdx(), "server " + pid + " decided everything");
        }
    }

    @Test
    void eachPartIsOursUnderTheRoundItWasAcceptedIn() {
        startWithLongLogOnServer2();
        electServer1();
        OmniPaxos<String> leader = servers.get(1L);
        Prepare<String> prepare = null;
        for (Message<String> m : leader.outgoingMessages()) {
            if (m instanceof Prepare<String> p && p.to() == 2) {
                prepare = p;
            }
        }
        servers.get(2L).handleIncoming(prepare);
        Promise<String> firstPart = null;
        for (Message<String> m : servers.get(2L).outgoingMessages()) {
            if (m instanceof Promise<String> p) {
                firstPart = p;
            }
        }
        int partLength = firstPart.suffix().size();
        assertTrue(partLength < LONG_LOG, "the promise carries a part: " + partLength);
        assertNull(firstPart.stopSign());
        leader.handleIncoming(firstPart);

        ListStorage<String> leaderStorage = storages.get(1L);
        assertEquals(partLength, leaderStorage.getLogLength());
        assertEquals(OLD_ROUND, leaderStorage.getAcceptedRound(),
                "a crash now leaves a prefix of server 2's log under server 2's round");
        assertEquals(partLength, leaderStorage.getDecidedIdx(), "decided as far as the part reaches");
        assertTrue(leader.outgoingMessages().stream().anyMatch(m -> m instanceof Prepare<String> p && p.to() == 2
                && p.acceptedIdx() == partLength && p.acceptedRound().equals(OLD_ROUND)),
                "server 2 is asked for the rest");

        leader.handleIncoming(firstPart);
        assertEquals(partLength, leaderStorage.getLogLength(),
                "a promise answering an earlier Prepare changes nothing");
    }
}
