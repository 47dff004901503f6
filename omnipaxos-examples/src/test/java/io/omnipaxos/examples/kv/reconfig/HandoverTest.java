package io.omnipaxos.examples.kv.reconfig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.ClusterConfig;
import io.omnipaxos.FlexibleQuorum;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.net.NodeAddressCodec;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvEntryCodec;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import io.omnipaxos.storage.StorageException;
import io.omnipaxos.storage.persistent.PersistentStorage;
import io.omnipaxos.storage.persistent.PersistentStorageConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reconfiguration of the key-value store puts on the wire and on disk: the request's text
 * form, the node addresses in the stop-sign, the handover and the configuration folders.
 */
class HandoverTest {

    @TempDir
    Path dir;

    private static final String TEXT = "id=2;nodes=1@127.0.0.1:17101:17201,2@localhost:17102:17202,4@::1:17104:17204";

    private static Handover handover(int ended, String text) {
        KvStateMachine state = new KvStateMachine();
        state.apply(new KvCommand(7, 1, 0, KvOp.PUT, "k", "v"));
        return new Handover(ended, ReconfigureRequest.parse(text).stopSign(), state.encode());
    }

    @Test
    void theRequestTextRoundTripsWithHostsThatHoldColons() {
        ReconfigureRequest request = ReconfigureRequest.parse(TEXT);
        assertEquals(new ClusterConfig(2, List.of(1L, 2L, 4L)), request.config());
        assertEquals(new NodeAddress(4, "::1", 17104, 17204), request.addresses().get(4L));
        assertEquals(TEXT, request.format());
        ReconfigureRequest flexible = ReconfigureRequest.parse("id=3;nodes=1@h:1:2,2@h:3:4,3@h:5:6,4@h:7:8;quorum=3/2");
        assertEquals(Optional.of(new FlexibleQuorum(3, 2)), flexible.config().flexibleQuorum());
        assertEquals(flexible, ReconfigureRequest.parse(flexible.format()));
    }

    @Test
    void badRequestTextIsRefusedSayingWhatIsWrong() {
        assertRefused("nodes=1@h:1:2,2@h:3:4", "needs id and nodes");
        assertRefused("id=2;nodes=1@h:1:2,2@h:3", "not pid@host:peerPort:clientPort");
        assertRefused("id=2;nodes=1@h:1:2,1@h:3:4", "pid 1 listed twice");
        assertRefused("id=2;nodes=1@h:1:2,2@h:3:70000", "port 70000 is above 65535");
        assertRefused("id=2;nodes=1@h:1:2,2@h:3:4;quorum=3/1", "invalid configuration");
        assertRefused("id=2;nodes=1@h:1:2,2@h:3:4;quorum=1/1", "invalid configuration");
        assertRefused("id=x;nodes=1@h:1:2,2@h:3:4", "id 'x' is not a number");
    }

    private static void assertRefused(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReconfigureRequest.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void nodeAddressesRoundTripAndCorruptionIsNamed() {
        Map<Long, NodeAddress> nodes = ReconfigureRequest.parse(TEXT).addresses();
        byte[] bytes = NodeAddressCodec.encode(nodes.values());
        assertEquals(nodes, NodeAddressCodec.decode(bytes));
        bytes[3] = 9; // the count
        DecodeException e = assertThrows(DecodeException.class, () -> NodeAddressCodec.decode(bytes));
        assertTrue(e.getMessage().contains("end early") || e.getMessage().contains("count"), e.getMessage());
    }

    @Test
    void aHandoverRoundTripsAndAnyFlippedByteIsCaught() {
        Handover handover = handover(1, TEXT);
        byte[] bytes = handover.encode();
        Handover back = Handover.decode(bytes, "node 1");
        assertEquals(handover, back);
        assertEquals("v", KvStateMachine.decode(back.state()).valueOf("k"));
        assertEquals(2, back.nextConfigId());
        for (int i = 0; i < bytes.length; i++) {
            byte[] flipped = bytes.clone();
            flipped[i] ^= 0x10;
            DecodeException e = assertThrows(DecodeException.class, () -> Handover.decode(flipped, "node 1"),
                    "flipped byte " + i);
            assertTrue(e.getMessage().startsWith("node 1: bad handover"), e.getMessage());
        }
    }

    @Test
    void aHandoverMustMoveToAHigherConfigurationWithEveryAddress() {
        assertThrows(IllegalArgumentException.class, () -> handover(2, TEXT));
        var stopSign = ReconfigureRequest.parse(TEXT).stopSign();
        var missing = new io.omnipaxos.StopSign(new ClusterConfig(2, List.of(1L, 2L, 5L)), stopSign.metadata());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Handover(1, missing, new byte[0]));
        assertTrue(e.getMessage().contains("no address for pid 5"), e.getMessage());
    }

    @Test
    void storesOfConfigurationsBelowTheCurrentOneAreDeleted() throws IOException {
        PersistentStorage.open(PersistentStorageConfig.at(dir).codec(KvEntryCodec.INSTANCE)).close();
        ConfigDirs.record(dir, handover(1, TEXT));
        PersistentStorage.open(PersistentStorageConfig.at(ConfigDirs.storage(dir, 2)).codec(KvEntryCodec.INSTANCE))
                .close();
        Handover three = handover(2, TEXT.replace("id=2", "id=3"));
        ConfigDirs.record(dir, three);
        ConfigDirs.discardBelow(dir, 3);
        try (var entries = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("config-3")), entries.toList());
        }
        assertEquals(Optional.of(three), ConfigDirs.latest(dir));
    }

    @Test
    void theHighestRecordedConfigurationWinsAndACorruptFileIsNamed() throws IOException {
        assertEquals(Optional.empty(), ConfigDirs.latest(dir));
        Handover two = handover(1, TEXT);
        Handover three = handover(2, TEXT.replace("id=2", "id=3"));
        ConfigDirs.record(dir, three);
        ConfigDirs.record(dir, two);
        Files.createDirectories(dir.resolve("config-9")); // no handover file: not a configuration it moved into
        assertEquals(Optional.of(three), ConfigDirs.latest(dir));
        assertArrayEquals(three.state(), ConfigDirs.latest(dir).orElseThrow().state());
        Path file = dir.resolve("config-3").resolve("handover");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        StorageException e = assertThrows(StorageException.class, () -> ConfigDirs.latest(dir));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
