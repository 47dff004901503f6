package io.omnipaxos.examples.kv.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.examples.kv.peer.Incarnations.Member;
import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data folder's incarnation and the peers' incarnations a node records: made once per folder and
 * kept across restarts, fresh at every start in memory; files refused with their name when damaged
 * or of another pid; gossip merged for the configuration's other members only, the first record
 * winning; the table bounded and pruned; and the hello that carries them.
 */
class IncarnationsTest {

    @TempDir
    Path dir;

    @Test
    void aDataFolderKeepsItsIncarnationAcrossStartsAndOnlyTheFilesAreWritten() throws IOException {
        Path data = dir.resolve("data");
        long first = Incarnations.open(data, 3).self();
        assertEquals(first, Incarnations.open(data, 3).self(), "the same folder, the same incarnation");
        try (var files = Files.list(data)) {
            assertEquals(List.of(data.resolve("incarnation")), files.toList(), "no temporary file left");
        }
        Files.delete(data.resolve("incarnation")); // an emptied folder: a new incarnation
        assertNotEquals(first, Incarnations.open(data, 3).self());
        assertNotEquals(Incarnations.inMemory(3).self(), Incarnations.inMemory(3).self(), "fresh at every start");
    }

    @Test
    void aDamagedFileOrAFolderOfAnotherPidIsRefusedNamingTheFile() throws IOException {
        Path data = dir.resolve("data");
        Incarnations.open(data, 3);
        Path file = data.resolve("incarnation");
        StorageException other = assertThrows(StorageException.class, () -> Incarnations.open(data, 4));
        assertEquals(file + " belongs to pid 3, not to this node, pid 4: a data folder serves one node",
                other.getMessage());
        byte[] bytes = Files.readAllBytes(file);
        bytes[10] ^= 1;
        Files.write(file, bytes);
        StorageException damaged = assertThrows(StorageException.class, () -> Incarnations.open(data, 3));
        assertEquals(file + " is damaged: checksum mismatch", damaged.getMessage());
    }

    @Test
    void theRecordedTableIsWrittenMergesGossipOfTheSameConfigurationAndKeepsTheFirstRecord() {
        Incarnations node1 = Incarnations.open(dir, 1);
        Map<Member, Long> gossip = new LinkedHashMap<>();
        gossip.put(new Member(1, 3), 33L); // another member: merged
        gossip.put(new Member(1, 1), 99L); // this node's own entry: the caller's to check, never recorded
        gossip.put(new Member(2, 4), 44L); // another configuration: not merged
        node1.record(1, 2, 22L, gossip);
        node1.record(1, 4, 40L, Map.of(new Member(1, 3), 34L)); // contradicts the record: ours is kept
        Incarnations reopened = Incarnations.open(dir, 1);
        assertEquals(Map.of(new Member(1, 2), 22L, new Member(1, 3), 33L, new Member(1, 4), 40L), reopened.table());
        assertEquals(node1.self(), reopened.helloTable(1).get(new Member(1, 1)), "a hello adds our own entry");
        reopened.forgetBelow(2);
        assertEquals(Map.of(), Incarnations.open(dir, 1).table(), "configuration 1's entries dropped in 2");
    }

    @Test
    void theTableIsBounded() {
        Incarnations node1 = Incarnations.inMemory(1);
        Map<Member, Long> gossip = new LinkedHashMap<>();
        for (long pid = 10; gossip.size() < Incarnations.MAX_ENTRIES + 10; pid++) {
            gossip.put(new Member(1, pid), pid);
        }
        node1.record(1, 2, 2L, gossip);
        assertEquals(Incarnations.MAX_ENTRIES, node1.table().size());
    }

    @Test
    void aHelloRoundTripsAndAnOldOrOversizedOneIsRefused() {
        Map<Member, Long> seen = Map.of(new Member(1, 1), -5L, new Member(1, 3), Long.MAX_VALUE);
        PeerHello hello = new PeerHello(2, 1, 0x1234L, true, seen);
        ByteBuf frame = hello.encode(UnpooledByteBufAllocator.DEFAULT);
        assertEquals(frame.readableBytes() - 4, frame.readInt());
        assertEquals(hello, PeerHello.decode(frame));
        ByteBuf old = UnpooledByteBufAllocator.DEFAULT.buffer().writeByte(1).writeByte('H').writeLong(2).writeInt(1);
        DecodeException version = assertThrows(DecodeException.class, () -> PeerHello.decode(old));
        assertTrue(version.getMessage().startsWith("the peer speaks hello version 1, this node version 2"),
                version.getMessage());
        ByteBuf tooMany = new PeerHello(2, 1, 1L, false, Map.of()).encode(UnpooledByteBufAllocator.DEFAULT);
        tooMany.skipBytes(4).setInt(tooMany.readerIndex() + PeerHello.FIXED_BYTES - 4, Incarnations.MAX_ENTRIES + 1);
        assertThrows(DecodeException.class, () -> PeerHello.decode(tooMany));
        assertNull(Incarnations.open(dir, 2).recorded(new Member(1, 1)));
    }
}
