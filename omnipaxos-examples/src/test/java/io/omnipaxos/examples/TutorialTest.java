package io.omnipaxos.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.examples.ReadmeSnippets.KeyValue;
import io.omnipaxos.examples.ReadmeSnippets.KeyValueCodec;
import io.omnipaxos.messages.Message;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's tutorial, step by step: a KeyValue entry with its codec (those of {@link
 * ReadmeSnippets}), each server configured from a TOML file in the tutorial's flat layout,
 * messages turned into bytes and back by MessageCodec, and every server reading the same decided
 * log.
 */
class TutorialTest {

    @TempDir
    Path dir;

    @Test
    void threeServersConfiguredFromTomlAgreeOverAByteNetwork() throws Exception {
        MessageCodec<KeyValue> codec = new MessageCodec<>(new KeyValueCodec());
        Map<Long, OmniPaxos<KeyValue>> servers = new TreeMap<>();
        for (long pid = 1; pid <= 3; pid++) {
            Path toml = dir.resolve("node" + pid + ".toml");
            Files.writeString(toml, "configuration_id = 1\npid = " + pid + "\npeers = " + peersOf(pid)
                    + "\nlogger_file_path = \"" + dir.resolve("node" + pid + ".log") + "\"\n");
            OmniPaxosConfig config = OmniPaxosConfig.withToml(toml);
            servers.put(pid, config.build(new MemoryStorage<>()));
        }
        runNetwork(servers, codec, 50);
        servers.get(1L).append(new KeyValue("a", 1));
        servers.get(2L).append(new KeyValue("b", 2));
        servers.get(3L).append(new KeyValue("c", 3));
        runNetwork(servers, codec, 50);

        List<LogEntry<KeyValue>> first = servers.get(1L).readDecidedSuffix(0);
        assertEquals(3, first.size());
        for (OmniPaxos<KeyValue> server : servers.values()) {
            assertEquals(first, server.readDecidedSuffix(0));
        }
        assertTrue(first.stream().allMatch(e -> e instanceof LogEntry.Decided<KeyValue>));
    }

    private static String peersOf(long pid) {
        List<Long> peers = new ArrayList<>(List.of(1L, 2L, 3L));
        peers.remove(pid);
        return peers.toString();
    }

    /** The user's network loop: tick, send every outgoing message as bytes, decode and deliver. */
    private static void runNetwork(Map<Long, OmniPaxos<KeyValue>> servers, MessageCodec<KeyValue> codec, int ticks) {
        for (int i = 0; i < ticks; i++) {
            List<byte[]> frames = new ArrayList<>();
            for (OmniPaxos<KeyValue> server : servers.values()) {
                server.tick();
            }
            for (int round = 0; round < 10; round++) {
                for (OmniPaxos<KeyValue> server : servers.values()) {
                    for (Message<KeyValue> message : server.outgoingMessages()) {
                        frames.add(codec.encode(message));
                    }
                }
                for (byte[] frame : frames) {
                    Message<KeyValue> message = codec.decode(frame);
                    servers.get(message.to()).handleIncoming(message);
                }
                frames.clear();
            }
        }
    }
}
