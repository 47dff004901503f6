package io.omnipaxos.examples.kv.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.omnipaxos.Ballot;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.codec.StringCodec;
import io.omnipaxos.examples.kv.FreePorts;
import io.omnipaxos.examples.kv.net.EventLoops;
import io.omnipaxos.examples.kv.net.KvLogging;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.messages.Message;
import io.omnipaxos.examples.kv.peer.Incarnations.Member;
import io.omnipaxos.messages.ProposalForward;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The peer port before a hello: one {@link PeerNetwork} on loopback (pid 2, which dials nobody:
 * the lower pid dials; its data folder a temporary one) and raw sockets posing as strangers or as
 * node 1. A connection may send nothing but a hello-sized frame before its hello, and must complete
 * its hello within the hello timeout; a peer that does may then send frames of any size up to the
 * peer limit. The incarnations: a hello of another incarnation than the recorded one is refused
 * with a hello that says why, a hello whose table knows pid 2 as another incarnation stops it, and
 * what a hello records is on disk before the link's first message reaches the node.
 */
class PeerNetworkTest {

    private static final long HELLO_TIMEOUT_MILLIS = 300;
    private static final long NODE1_INCARNATION = 0x1111_2222_3333_4444L;

    @TempDir
    Path dataDir;

    private final EventLoopGroup group = EventLoops.singleThread();
    private final EventLoop loop = group.next();
    private final BlockingQueue<Message<String>> received = new LinkedBlockingQueue<>();
    private final MessageCodec<String> codec = new MessageCodec<>(StringCodec.INSTANCE, ReplicaNode.PEER_LIMITS);
    private final CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    private PeerNetwork<String> network;
    private Incarnations incarnations;
    private NodeAddress self;

    @BeforeEach
    void start() throws Exception {
        self = new NodeAddress(2, "127.0.0.1", freePort(), freePort());
        NodeAddress other = new NodeAddress(1, "127.0.0.1", freePort(), freePort());
        incarnations = Incarnations.open(dataDir, 2);
        network = new PeerNetwork<>(2, 1, Map.of(1L, other, 2L, self), List.of(1L), true, codec, null, loop, events(),
                incarnations, HELLO_TIMEOUT_MILLIS);
        network.start();
    }

    /** What the network reports: messages to {@link #received}, a fatal failure to {@link #fatal}. */
    private PeerNetwork.Events<String> events() {
        return new PeerNetwork.Events<>() {
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
                fatal.complete(failure);
            }
        };
    }

    @AfterEach
    void stop() throws Exception {
        loop.submit(network::close).sync();
        network.awaitClosed();
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
    }

    /**
     * A new configuration's network binds the peer port that the previous one closed. The JDK frees
     * a closed listening socket only at its selector's next select, and an event loop busy with
     * queued tasks runs the new bind before that: the bind is tried again until the port is free.
     */
    @Test
    void aPeerPortClosedWhileTheLoopIsBusyIsBoundAgainByTheNextNetwork() throws Exception {
        loop.execute(network::close);
        loop.execute(() -> sleepQuietly(300)); // the loop selects again only after this
        network.awaitClosed();
        NodeAddress other = new NodeAddress(1, "127.0.0.1", freePort(), freePort());
        network = new PeerNetwork<>(2, 2, Map.of(1L, other, 2L, self), List.of(1L), true, codec, null, loop, events(),
                incarnations, HELLO_TIMEOUT_MILLIS);
        network.start(); // threw "Address already in use" before the retry
        try (Socket socket = connect()) {
            assertTrue(socket.isConnected(), "the new network listens on the same peer port");
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
            Message<String> message = new ProposalForward<>(1, 2, 1, Ballot.NONE, 0, 1, List.of("x".repeat(1000)));
            int size = codec.encodedSize(message);
            ByteBuffer frame = ByteBuffer.allocate(4 + size).putInt(size);
            codec.encode(message, frame.slice(4, size));
            out.write(hello(NODE1_INCARNATION, false, Map.of()));
            out.write(frame.array()); // right behind the hello, in the same write
            PeerHello answer = readHello(socket);
            assertEquals(2, answer.pid(), "the network answers with its hello");
            assertEquals(incarnations.self(), answer.incarnation());
            assertEquals(message, received.poll(10, TimeUnit.SECONDS));
            assertEquals(NODE1_INCARNATION, Incarnations.open(dataDir, 2).recorded(new Member(1, 1)),
                    "node 1's incarnation was on disk when its first message arrived");
            assertTrue(staysOpen(socket, 2 * HELLO_TIMEOUT_MILLIS), "the link outlives the hello timeout");
            assertEquals(java.util.Set.of(1L), onLoop(network::connectedPeers), "the link outlives the hello timeout");
        }
        assertEquals(0L, onLoop(network::helloTimeouts));
        assertEquals(0L, onLoop(network::badFrames));
    }

    @Test
    void aHelloOfAnotherIncarnationThanTheRecordedOneIsRefusedWithAHelloThatSaysWhy() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(hello(NODE1_INCARNATION, false, Map.of()));
            assertFalse(readHello(socket).refusal());
        }
        try (Socket socket = connect()) {
            socket.getOutputStream().write(hello(NODE1_INCARNATION + 1, false, Map.of())); // node 1, wiped
            PeerHello answer = readHello(socket);
            assertTrue(answer.refusal(), "refused");
            assertEquals(NODE1_INCARNATION, answer.seen().get(new Member(1, 1)), "with the incarnation recorded");
            assertTrue(closedByServer(socket));
        }
        assertEquals(1L, onLoop(network::rejectedHandshakes));
        assertEquals(NODE1_INCARNATION, Incarnations.open(dataDir, 2).recorded(new Member(1, 1)), "unchanged");
        assertFalse(fatal.isDone());
    }

    @Test
    void aHelloThatKnowsThisNodeAsAnotherIncarnationStopsIt() throws Exception {
        Map<Member, Long> seen = Map.of(new Member(1, 2), incarnations.self() + 1);
        try (Socket socket = connect()) {
            socket.getOutputStream().write(hello(NODE1_INCARNATION, false, seen)); // a gossiped entry
            Throwable failure = fatal.get(10, TimeUnit.SECONDS);
            assertTrue(failure instanceof DataFolderReplacedException, failure.toString());
            assertEquals("data folder " + dataDir.toAbsolutePath() + " was replaced or emptied since this node was a "
                    + "member of configuration 1 (peers know incarnation " + Incarnations.hex(incarnations.self() + 1)
                    + ", this folder is " + Incarnations.hex(incarnations.self()) + "): add it back as a new node "
                    + "through reconfiguration", failure.getMessage());
            assertTrue(closedByServer(socket));
        }
        assertEquals(0, onLoop(network::connectedPeers).size());
    }

    @Test
    void aVersionOneHelloIsRefusedSayingWhichVersionThisNodeSpeaks() throws Exception {
        Logger events = (Logger) LoggerFactory.getLogger(KvLogging.EVENTS);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        events.addAppender(logged);
        try (Socket socket = connect()) {
            socket.getOutputStream().write(ByteBuffer.allocate(4 + 14).putInt(14).put((byte) 1).put((byte) 'H')
                    .putLong(1).putInt(1).array());
            assertTrue(closedByServer(socket));
        } finally {
            events.detachAppender(logged);
        }
        assertEquals(1L, onLoop(network::badFrames));
        assertTrue(logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains(
                "the peer speaks hello version 1, this node version 2")), logged.list.toString());
    }

    /** A framed hello from node 1 of configuration 1. */
    private byte[] hello(long incarnation, boolean refusal, Map<Member, Long> seen) {
        ByteBuf frame = new PeerHello(1, 1, incarnation, refusal, seen).encode(UnpooledByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }

    private static PeerHello readHello(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return PeerHello.decode(Unpooled.wrappedBuffer(body));
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
        return FreePorts.takeOne();
    }
}
