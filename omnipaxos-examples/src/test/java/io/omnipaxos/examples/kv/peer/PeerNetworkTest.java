package io.omnipaxos.examples.kv.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.codec.StringCodec;
import io.omnipaxos.examples.kv.net.EventLoops;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.messages.Message;
import io.omnipaxos.messages.ProposalForward;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The peer port before a hello: one {@link PeerNetwork} on loopback (pid 2, which dials nobody:
 * the lower pid dials) and raw sockets posing as strangers. A connection may send nothing but a
 * hello-sized frame before its hello, and must complete its hello within the hello timeout; a peer
 * that does may then send frames of any size up to the peer limit.
 */
class PeerNetworkTest {

    private static final long HELLO_TIMEOUT_MILLIS = 300;

    private final EventLoopGroup group = EventLoops.singleThread();
    private final EventLoop loop = group.next();
    private final BlockingQueue<Message<String>> received = new LinkedBlockingQueue<>();
    private final MessageCodec<String> codec = new MessageCodec<>(StringCodec.INSTANCE, ReplicaNode.PEER_LIMITS);
    private PeerNetwork<String> network;
    private NodeAddress self;

    @BeforeEach
    void start() throws Exception {
        self = new NodeAddress(2, "127.0.0.1", freePort(), freePort());
        NodeAddress other = new NodeAddress(1, "127.0.0.1", freePort(), freePort());
        PeerNetwork.Events<String> events = new PeerNetwork.Events<>() {
            @Override
            public void onMessage(Message<String> message) {
                received.add(message);
            }

            @Override
            public void onLinkUp(long pid) {}

            @Override
            public void onLinkDown(long pid) {}

            @Override
            public void onFatal(Throwable failure) {
                throw new AssertionError("fatal", failure);
            }
        };
        network = new PeerNetwork<>(2, 1, Map.of(1L, other, 2L, self), List.of(1L), codec, null, loop, events,
                HELLO_TIMEOUT_MILLIS);
        network.start();
    }

    @AfterEach
    void stop() throws Exception {
        loop.submit(network::close).sync();
        network.awaitClosed();
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
    }

    @Test
    void aFrameLongerThanAHelloBeforeTheHelloClosesTheConnectionAtOnce() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(ByteBuffer.allocate(4 + 64).putInt(255 * 1024 * 1024).array()); // 255 MiB announced
            out.flush();
            long start = System.nanoTime();
            assertTrue(closedByServer(socket), "the announced 255 MiB frame must close the connection");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < HELLO_TIMEOUT_MILLIS, "closed after " + millis + " ms: not at once");
        }
        assertEquals(1L, onLoop(network::badFrames));
        assertEquals(0L, onLoop(network::helloTimeouts));
    }

    @Test
    void aConnectionWithoutAHelloIsClosedAfterTheHelloTimeoutAndCounted() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(new byte[] {0, 0}); // half a length field, then nothing
            long start = System.nanoTime();
            assertTrue(closedByServer(socket), "a connection without a hello must be closed");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= HELLO_TIMEOUT_MILLIS - 50, "closed after " + millis + " ms, before the timeout");
        }
        assertEquals(1L, onLoop(network::helloTimeouts));
    }

    @Test
    void aPeerThatSaysHelloMaySendLargerFramesAndStaysConnected() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(ByteBuffer.allocate(4 + PeerHello.BYTES).putInt(PeerHello.BYTES).put(PeerHello.VERSION)
                    .put(PeerHello.KIND).putLong(1).putInt(1).array());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertEquals(PeerHello.BYTES, in.readInt(), "the network answers with its hello");
            in.readFully(new byte[PeerHello.BYTES]);
            Message<String> message = new ProposalForward<>(1, 2, 1, List.of("x".repeat(1000)));
            int size = codec.encodedSize(message);
            ByteBuffer frame = ByteBuffer.allocate(4 + size).putInt(size);
            codec.encode(message, frame.slice(4, size));
            out.write(frame.array());
            assertEquals(message, received.poll(10, TimeUnit.SECONDS));
            assertTrue(staysOpen(socket, 2 * HELLO_TIMEOUT_MILLIS), "the link outlives the hello timeout");
            assertEquals(java.util.Set.of(1L), onLoop(network::connectedPeers), "the link outlives the hello timeout");
        }
        assertEquals(0L, onLoop(network::helloTimeouts));
        assertEquals(0L, onLoop(network::badFrames));
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(self.host(), self.peerPort());
        socket.setSoTimeout(5_000);
        return socket;
    }

    private <V> V onLoop(Callable<V> query) throws Exception {
        return loop.submit(query).get(5, TimeUnit.SECONDS);
    }

    /**
     * Whether the other side keeps the connection open for {@code millis}: reads until then (a close
     * or reset ends the wait at once), instead of sleeping and looking afterwards.
     */
    private static boolean staysOpen(Socket socket, long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        for (long left = millis; left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
            socket.setSoTimeout((int) Math.max(1, left));
            try {
                if (socket.getInputStream().read() < 0) {
                    return false;
                }
            } catch (SocketTimeoutException e) {
                return true;
            } catch (IOException e) {
                return false; // reset
            }
        }
        return true;
    }

    /** Whether the other side closed (or reset) the connection within the socket's read timeout. */
    private static boolean closedByServer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
