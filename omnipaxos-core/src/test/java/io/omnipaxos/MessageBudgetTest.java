package io.omnipaxos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.codec.StringCodec;
import io.omnipaxos.messages.AcceptDecide;
import io.omnipaxos.messages.AcceptSync;
import io.omnipaxos.messages.Accepted;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.Prepare;
import io.omnipaxos.messages.PrepareReq;
import io.omnipaxos.messages.Promise;
import io.omnipaxos.messages.ProposalForward;
import io.omnipaxos.messages.SyncChunk;
import io.omnipaxos.sim.ListStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With an entry codec, no message carries more than {@code max_message_bytes} of entries: batches,
 * a far-behind follower's catch-up and forwarded proposals are split, and an entry that could never
 * fit is refused at append.
 */
class MessageBudgetTest {

    private static final int CONFIG = 1;
    private static final List<Long> NODES = List.of(1L, 2L, 3L);
    private static final int BUDGET = 2048;
    /** 500 characters: 4 + 4 + 500 bytes in a message with the length prefixes. */
    private static final int ENTRY_CHARS = 500;

    private final ListStorage<String> storage = new ListStorage<>();

    private OmniPaxos<String> server(long pid, int batchSize) {
        return OmniPaxosConfig.builder().configurationId(CONFIG).pid(pid).nodes(NODES).batchSize(batchSize)
                .maxMessageBytes(BUDGET).build().build(storage, null, StringCodec.INSTANCE);
    }

    private static String entry(int i) {
        String digits = Integer.toString(i);
        return digits + "x".repeat(ENTRY_CHARS - digits.length());
    }

    private static long entryBytes(List<String> entries) {
        return entries.stream().mapToLong(e -> 4L + StringCodec.INSTANCE.encodedSize(e)).sum();
    }

    /** Server 1, elected (preparing): both peers answered a heartbeat round as not quorum-connected. */
    private OmniPaxos<String> preparingLeader(int batchSize) {
        OmniPaxos<String> leader = server(1, batchSize);
        TestElections.electSelf(leader, CONFIG, 1, NODES);
        return leader;
    }

    /** Server 1 leads with server 2's promise; server 3 has not promised yet. */
    private OmniPaxos<String> leader(int batchSize) {
        OmniPaxos<String> leader = preparingLeader(batchSize);
        leader.handleIncoming(new Promise<>(2, 1, CONFIG, storage.getPromise(), Ballot.NONE, 0, 0, 0, List.of()));
        leader.outgoingMessages();
        assertTrue(leader.getCurrentLeaderInfo().orElseThrow().accepting());
        return leader;
    }

    @Test
    void aBatchIsSentAsSoonAsItFillsTheBudget() {
        OmniPaxos<String> leader = leader(1000);
        for (int i = 0; i < 10; i++) {
            leader.append(entry(i));
        }
        for (int i = 0; i < ServerConfig.DEFAULT_FLUSH_BATCH_TICK_TIMEOUT; i++) {
            leader.tick(); // the last, partial batch goes on the flush tick
        }
        List<AcceptDecide<String>> sent = new ArrayList<>();
        for (Message<String> m : leader.outgoingMessages()) {
            if (m instanceof AcceptDecide<String> a) {
                sent.add(a);
            }
        }
        assertTrue(sent.size() >= 3, "10 entries of 508 bytes need at least 3 messages of " + BUDGET + " bytes");
        List<String> all = new ArrayList<>();
        for (AcceptDecide<String> a : sent) {
            assertTrue(entryBytes(a.entries()) <= BUDGET, entryBytes(a.entries()) + " bytes");
            all.addAll(a.entries());
        }
        assertEquals(10, all.size());
    }

    @Test
    void aFollowerFarBehindCatchesUpInMessagesWithinTheBudget() {
        OmniPaxos<String> leader = leader(1);
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            written.add(entry(i));
            leader.append(entry(i));
            leader.handleIncoming(new Accepted<>(2, 1, CONFIG, storage.getPromise(), i + 1));
        }
        assertEquals(60, leader.getDecidedIdx());
        leader.outgoingMessages();

        leader.handleIncoming(new Promise<>(3, 1, CONFIG, storage.getPromise(), Ballot.NONE, 0, 0, 0, List.of()));
        List<String> received = new ArrayList<>();
        int messages = 0;
        for (int round = 0; round < 100 && received.size() < 60; round++) {
            for (Message<String> m : leader.outgoingMessages()) {
                List<String> entries = m instanceof AcceptSync<String> s && s.to() == 3 ? s.suffix()
                        : m instanceof AcceptDecide<String> a && a.to() == 3 ? a.entries() : null;
                if (entries != null) {
                    assertTrue(entryBytes(entries) <= BUDGET, "message " + messages + ": " + entryBytes(entries) + " bytes");
                    received.addAll(entries);
                    messages++;
                }
            }
            leader.handleIncoming(new Accepted<>(3, 1, CONFIG, storage.getPromise(), received.size()));
        }
        assertEquals(written, received, "the follower gets the whole log, in order");
        assertTrue(messages >= 15, "60 entries of 508 bytes take at least 15 messages, got " + messages);
    }

    @Test
    void anEntryThatCouldNeverFitIsRefusedAtAppend() {
        OmniPaxos<String> leader = leader(1);
        AppendRejectedException e = assertThrows(AppendRejectedException.class, () -> leader.append("y".repeat(BUDGET)));
        assertEquals(AppendRejectedException.Reason.ENTRY_TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("max_message_bytes"), e.getMessage());
        assertEquals(0, storage.getLogLength());
        leader.append("small");
        assertEquals(1, storage.getLogLength());
    }

    @Test
    void forwardedProposalsAreSplitAcrossMessages() {
        OmniPaxos<String> follower = server(3, 1);
        for (int i = 0; i < 10; i++) {
            follower.append(entry(i));
        }
        Ballot ballot = new Ballot(1, 0, 1);
        follower.handleIncoming(new Prepare<>(1, 3, CONFIG, ballot, 0, Ballot.NONE, 0));
        follower.handleIncoming(new AcceptSync<>(1, 3, CONFIG, ballot, new io.omnipaxos.messages.SequenceNumber(4, 1), 0,
                List.of(), 0));
        List<String> forwarded = new ArrayList<>();
        long nextSeq = 1;
        for (Message<String> m : follower.outgoingMessages()) {
            if (m instanceof ProposalForward<String> f) {
                assertTrue(entryBytes(f.entries()) <= BUDGET, entryBytes(f.entries()) + " bytes");
                assertEquals(ballot, f.ballot());
                assertEquals(4, f.session(), "numbered in the epoch of the first synchronisation");
                assertEquals(nextSeq, f.firstSeq(), "numbers run on across the messages");
                nextSeq += f.entries().size();
                forwarded.addAll(f.entries());
            } else {
                assertTrue(m instanceof Promise || m instanceof PrepareReq || m instanceof Accepted
                        || m instanceof io.omnipaxos.messages.HeartbeatRequest, m.toString());
            }
        }
        assertEquals(10, forwarded.size(), "forwarded once synchronised with the leader");
    }

    @Test
    void theBudgetIsAConfigurationKey(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("n.toml"),
                "configuration_id = 1\npid = 1\npeers = [2, 3]\nmax_message_bytes = 4096\n");
        assertEquals(4096, OmniPaxosConfig.withToml(file).server().maxMessageBytes());
        Path small = Files.writeString(dir.resolve("s.toml"),
                "configuration_id = 1\npid = 1\npeers = [2, 3]\nmax_message_bytes = 10\n");
        ConfigException e = assertThrows(ConfigException.class, () -> OmniPaxosConfig.withToml(small));
        assertTrue(e.getMessage().contains("max_message_bytes"), e.getMessage());
        Path large = Files.writeString(dir.resolve("l.toml"),
                "configuration_id = 1\npid = 1\npeers = [2, 3]\nmax_message_bytes = 33554432\n");
        e = assertThrows(ConfigException.class, () -> OmniPaxosConfig.withToml(large));
        assertTrue(e.getMessage().contains("max_message_bytes must be <= 15728640"), e.getMessage());
    }

    @Test
    void aFollowerMissingMuchOfTheAdoptedLogGetsItInChunksBeforeTheAcceptSync() {
        // Server 1 adopts a log of 60 large entries from server 2's promise, then syncs server 3 (empty).
        OmniPaxos<String> leader = preparingLeader(1);
        Ballot ballot = storage.getPromise();
        Ballot old = new Ballot(1, 0, 2);
        List<String> adopted = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            adopted.add(entry(i));
        }
        leader.handleIncoming(new Promise<>(2, 1, CONFIG, ballot, old, 0, 60, 0, adopted));
        leader.outgoingMessages();
        assertEquals(60, storage.getLogLength());

        leader.handleIncoming(new Promise<>(3, 1, CONFIG, ballot, Ballot.NONE, 0, 0, 0, List.of()));
        List<String> received = new ArrayList<>();
        int chunks = 0;
        AcceptSync<String> closing = null;
        for (int round = 0; round < 100 && closing == null; round++) {
            for (Message<String> m : leader.outgoingMessages()) {
                if (m instanceof SyncChunk<String> c && c.to() == 3) {
                    assertEquals(received.size(), c.fromIdx());
                    assertTrue(entryBytes(c.entries()) <= BUDGET, entryBytes(c.entries()) + " bytes");
                    received.addAll(c.entries());
                    chunks++;
                } else if (m instanceof AcceptSync<String> s && s.to() == 3) {
                    assertEquals(received.size(), s.syncIdx());
                    assertTrue(entryBytes(s.suffix()) <= BUDGET);
                    received.addAll(s.suffix());
                    closing = s;
                }
            }
            leader.handleIncoming(new Accepted<>(3, 1, CONFIG, ballot, received.size()));
        }
        assertTrue(closing != null, "the transfer ends with an AcceptSync");
        assertEquals(adopted, received);
        assertTrue(chunks >= 14, "60 entries of 508 bytes: at least 14 chunks before the AcceptSync, got " + chunks);
    }

    @Test
    void aFollowerAppendsAChunkWithoutTakingTheNewRound() {
        OmniPaxos<String> follower = server(3, 1);
        Ballot ballot = new Ballot(2, 0, 1);
        follower.handleIncoming(new Prepare<>(1, 3, CONFIG, ballot, 0, Ballot.NONE, 0));
        follower.outgoingMessages();
        follower.handleIncoming(new SyncChunk<>(1, 3, CONFIG, ballot, 0, 1, List.of("a", "b")));
        assertEquals(List.of("a", "b"), storage.getEntries(0, 2));
        assertEquals(Ballot.NONE, storage.getAcceptedRound(), "the round is taken only with the AcceptSync");
        assertEquals(1, follower.getDecidedIdx(), "what the leader decided of it is decided");
        assertTrue(follower.outgoingMessages().contains(new Accepted<String>(3, 1, CONFIG, ballot, 2)));
        follower.handleIncoming(new SyncChunk<>(1, 3, CONFIG, ballot, 5, 1, List.of("gap")));
        assertEquals(2, storage.getLogLength(), "a chunk that does not continue the log is ignored");
        follower.handleIncoming(new AcceptSync<>(1, 3, CONFIG, ballot, new io.omnipaxos.messages.SequenceNumber(1, 1), 2,
                List.of("c"), 0));
        assertEquals(3, storage.getLogLength());
        assertEquals(ballot, storage.getAcceptedRound());
    }
}
