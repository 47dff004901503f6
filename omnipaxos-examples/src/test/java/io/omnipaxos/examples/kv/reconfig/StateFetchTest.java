package io.omnipaxos.examples.kv.reconfig;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.state.KvReply;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetching side of a state fetch against a fake node (a server socket in this JVM) that answers
 * with chunk frames made by {@link ClientWire#stateChunkFrame}: a handover of three chunks is
 * written to the fetch file, checked, read back and moved in place; a short, corrupt or disordered
 * stream is an error naming the node and the offset, and nothing is recorded.
 */
class StateFetchTest {

    /** A state a little over two chunks: its handover takes three. */
    private static final int STATE_BYTES = 2 * ClientWire.MAX_STATE_CHUNK_BYTES + 1000;

    @TempDir
    Path dir;

    private final Handover handover = handover();
    private ServerSocket server;
    private Thread serving;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
            serving.join(10_000);
        }
    }

    @Test
    void aHandoverOfSeveralChunksIsWrittenToTheFetchFileCheckedAndMovedInPlace() throws Exception {
        NodeAddress node = serve(chunks -> chunks);
        Path into = ConfigDirs.fetchFile(dir);
        StringBuilder why = new StringBuilder();
        Optional<Handover> fetched = StateFetch.fetch(node, 1, null, Optional.empty(), into, why);
        assertEquals(Optional.of(handover), fetched, why.toString());
        assertArrayEquals(handover.encode(), Files.readAllBytes(into));
        ConfigDirs.recordFetched(dir, fetched.get(), into);
        assertFalse(Files.exists(into), "moved, not copied");
        assertEquals(Optional.of(handover), ConfigDirs.latest(dir));
        try (HandoverSource file = HandoverSource.ofFile(ConfigDirs.handoverFile(dir, 2))) {
            assertEquals(handover.encode().length, file.length());
        }
    }

    @Test
    void aStreamThatEndsEarlyIsAnErrorNamingTheNodeAndTheOffset() throws Exception {
        NodeAddress node = serve(chunks -> chunks.subList(0, 1));
        DecodeException e = assertThrows(DecodeException.class, () -> fetch(node));
        assertTrue(e.getMessage().contains("node 7: the state stream ended at offset "
                + ClientWire.MAX_STATE_CHUNK_BYTES), e.getMessage());
    }

    @Test
    void aCorruptChunkFailsTheChecksum() throws Exception {
        NodeAddress node = serve(chunks -> {
            byte[] middle = chunks.get(1);
            middle[middle.length / 2] ^= 1;
            return chunks;
        });
        DecodeException e = assertThrows(DecodeException.class, () -> fetch(node));
        assertTrue(e.getMessage().contains("node 7: the handover's checksum (at offset "), e.getMessage());
    }

    @Test
    void aSkippedChunkIsAnErrorNamingTheOffsetExpected() throws Exception {
        NodeAddress node = serve(chunks -> List.of(chunks.get(0), chunks.get(2)));
        DecodeException e = assertThrows(DecodeException.class, () -> fetch(node));
        assertTrue(e.getMessage().contains("node 7: expected the chunk at offset " + ClientWire.MAX_STATE_CHUNK_BYTES),
                e.getMessage());
    }

    @Test
    void anErrorReplyIsTheReasonAndNothingIsFetched() throws Exception {
        server = new ServerSocket(0);
        byte[] reply = bytes(ClientWire.encodeReply(KvReply.error(1, "has not seen a configuration end"),
                UnpooledByteBufAllocator.DEFAULT));
        serving = answer(List.of(reply));
        StringBuilder why = new StringBuilder();
        assertEquals(Optional.empty(), StateFetch.fetch(address(), 1, null, Optional.empty(),
                ConfigDirs.fetchFile(dir), why));
        assertEquals("node 7: has not seen a configuration end", why.toString());
    }

    private Optional<Handover> fetch(NodeAddress node) {
        return StateFetch.fetch(node, 1, null, Optional.empty(), ConfigDirs.fetchFile(dir), new StringBuilder());
    }

    private static Handover handover() {
        byte[] state = new byte[STATE_BYTES];
        new Random(3).nextBytes(state);
        return new Handover(1, ReconfigureRequest.parse("id=2;nodes=1@127.0.0.1:1:2,2@127.0.0.1:3:4").stopSign(),
                state);
    }

    /** A fake node 7 that answers one FETCH_STATE with the handover's chunk frames, as {@code edit} changes them. */
    private NodeAddress serve(UnaryOperator<List<byte[]>> edit) throws IOException {
        server = new ServerSocket(0);
        List<byte[]> frames = new ArrayList<>();
        try (HandoverSource source = handover.source()) {
            for (long offset = 0; offset < source.length(); offset += ClientWire.MAX_STATE_CHUNK_BYTES) {
                int count = (int) Math.min(ClientWire.MAX_STATE_CHUNK_BYTES, source.length() - offset);
                ByteBuf frame = ClientWire.stateChunkFrame(1, source.length(), offset, count,
                        UnpooledByteBufAllocator.DEFAULT);
                source.read(offset, count, frame);
                frames.add(bytes(frame));
            }
        }
        assertEquals(3, frames.size(), "the handover takes three chunks");
        serving = answer(edit.apply(frames));
        return address();
    }

    private NodeAddress address() {
        return new NodeAddress(7, "127.0.0.1", 1, server.getLocalPort());
    }

    /** Accepts one connection, reads its request frame, writes {@code frames} and hangs up. */
    private Thread answer(List<byte[]> frames) {
        Thread thread = new Thread(() -> {
            try (Socket socket = server.accept()) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                in.readFully(new byte[in.readInt()]);
                OutputStream out = socket.getOutputStream();
                for (byte[] frame : frames) {
                    out.write(frame);
                }
                out.flush();
            } catch (IOException e) {
                // the test closed the server, or the fetcher hung up
            }
        }, "fake-node-7");
        thread.start();
        return thread;
    }

    private static byte[] bytes(ByteBuf frame) {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }
}
