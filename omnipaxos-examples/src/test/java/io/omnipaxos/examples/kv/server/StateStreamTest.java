package io.omnipaxos.examples.kv.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.omnipaxos.examples.kv.FreePorts;
import io.omnipaxos.examples.kv.net.ClientLimits;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.net.EventLoops;
import io.omnipaxos.examples.kv.reconfig.Handover;
import io.omnipaxos.examples.kv.reconfig.HandoverSource;
import io.omnipaxos.examples.kv.reconfig.ReconfigureRequest;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FETCH_STATE answer on a real client port on loopback: the handover (40 MiB, 40 chunks) goes out
 * in chunks of at most 1 MiB, and a client that does not read makes the node hold no more than the
 * connection's write-buffer high-water mark plus one chunk, not the whole state.
 */
class StateStreamTest {

    private static final int STATE_BYTES = 40 * 1024 * 1024;

    @TempDir
    Path dir;

    private final EventLoopGroup group = EventLoops.singleThread();
    private final EventLoop loop = group.next();
    private final AtomicReference<Channel> streaming = new AtomicReference<>();
    private final LinkedBlockingQueue<KvCommand> others = new LinkedBlockingQueue<>();
    private ClientPort port;

    @AfterEach
    void stop() throws Exception {
        if (port != null) {
            loop.submit(port::close).sync();
        }
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
    }

    @Test
    void aSlowReaderGetsTheStateInChunksWhileTheNodeBuffersAtMostTheHighWaterMark() throws Exception {
        Handover handover = handover();
        int clientPort = start(number -> handover.source());
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", clientPort));
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(frame(new KvCommand(5, 1, 0, KvOp.FETCH_STATE, "", "")));
            long sent = awaitStalled();
            long buffered = onLoop(() -> streaming.get().unsafe().outboundBuffer().totalPendingWriteBytes());
            System.out.println("a reader that does not read: " + sent + " bytes written of " + STATE_BYTES
                    + ", " + buffered + " buffered by the node");
            assertTrue(buffered <= ClientPort.WRITE_BUFFER_HIGH_BYTES + (1 << 20), buffered + " bytes buffered");
            assertTrue(sent < STATE_BYTES / 2, "the node went on writing while nobody read: " + sent);
            byte[] received = readChunks(new DataInputStream(socket.getInputStream()));
            assertArrayEquals(handover.encode(), received, "the handover, in order");
            await("the stream to end", () -> onLoop(() -> ClientPort.streamOn(streaming.get()) == null));
            socket.getOutputStream().write(frame(new KvCommand(5, 2, 1, KvOp.GET, "k", "")));
            assertEquals(KvOp.GET, others.poll(10, TimeUnit.SECONDS).op(), "the connection is read again");
        }
    }

    @Test
    void aClientThatHangsUpMidStreamEndsTheStreamFromTheFile() throws Exception {
        Handover handover = handover();
        Path file = dir.resolve("handover");
        handover.writeTo(file);
        int clientPort = start(number -> {
            try {
                return HandoverSource.ofFile(file);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        try (Socket socket = new Socket("127.0.0.1", clientPort)) {
            socket.getOutputStream().write(frame(new KvCommand(5, 1, 0, KvOp.FETCH_STATE, "", "")));
            awaitStalled();
        }
        await("the stream to end (and its file to be closed)",
                () -> onLoop(() -> ClientPort.streamOn(streaming.get()) == null));
    }

    private static Handover handover() {
        byte[] state = new byte[STATE_BYTES];
        new Random(7).nextBytes(state);
        return new Handover(1, ReconfigureRequest.parse("id=2;nodes=1@127.0.0.1:1:2,2@127.0.0.1:3:4").stopSign(),
                state);
    }

    /** Starts a client port whose FETCH_STATE answer streams {@code sources}' handover; returns the port. */
    private int start(Function<Long, HandoverSource> sources) throws Exception {
        int clientPort = freePort();
        ClientPort.Requests requests = new ClientPort.Requests() {
            @Override
            public void onRequest(KvCommand command, Channel channel) {
                if (command.op() != KvOp.FETCH_STATE) {
                    others.add(command);
                    return;
                }
                streaming.set(channel);
                port.stream(channel, new StateStream(command.requestNumber(), sources.apply(command.requestNumber())));
            }

            @Override
            public void onFatal(Throwable failure) {
                throw new AssertionError("fatal", failure);
            }
        };
        port = new ClientPort(loop, null, new AdminPolicy(Optional.empty()), ClientLimits.DEFAULT, requests);
        port.start("127.0.0.1", clientPort);
        return clientPort;
    }

    /** Waits until the stream has begun and stopped writing for 300 ms (its reader does not read); returns its offset. */
    private long awaitStalled() throws Exception {
        await("the stream to start", () -> streaming.get() != null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long last = -1;
        for (long offset = streamOffset(); offset != last; offset = streamOffset()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the stream kept writing for 20 s, at offset " + offset);
            }
            last = offset;
            Thread.sleep(300);
        }
        return last;
    }

    private long streamOffset() throws Exception {
        return onLoop(() -> {
            StateStream stream = ClientPort.streamOn(streaming.get());
            return stream == null ? -1 : stream.offset();
        });
    }

    /** Reads chunk frames until the handover is whole; each body is at most 1 MiB. */
    private static byte[] readChunks(DataInputStream in) throws IOException {
        byte[] handover = null;
        long received = 0;
        while (handover == null || received < handover.length) {
            int length = in.readInt();
            assertTrue(length <= 1 << 20, "a chunk frame of " + length + " bytes");
            byte[] body = new byte[length];
            in.readFully(body);
            ClientWire.StateChunk chunk = ClientWire.decodeStateChunk(Unpooled.wrappedBuffer(body)).orElseThrow();
            if (handover == null) {
                handover = new byte[(int) chunk.handoverLength()];
            }
            assertEquals(received, chunk.offset());
            int count = chunk.bytes().readableBytes();
            chunk.bytes().getBytes(chunk.bytes().readerIndex(), handover, (int) received, count);
            received += count;
        }
        return Arrays.copyOf(handover, (int) received);
    }

    private static byte[] frame(KvCommand command) {
        ByteBuf frame = ClientWire.encodeRequest(command, UnpooledByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }

    private <V> V onLoop(Callable<V> query) throws Exception {
        return loop.submit(query).get(5, TimeUnit.SECONDS);
    }

    private static int freePort() throws IOException {
        return FreePorts.takeOne();
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
