package io.omnipaxos.examples.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.omnipaxos.examples.kv.net.ClientLimits;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStatus;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The client port's pipeline on embedded channels whose remote address is chosen by the test (and
 * whose socket may refuse what is flushed): who may send administrative requests, and the
 * backpressure that keeps clients that do not read their replies from growing the node's memory,
 * one connection at a time and all together.
 */
class ClientPortTest {

    private static final String TOKEN = "a-token-of-sixteen-bytes-or-more";
    private static final long MIB = ClientLimits.MIB;

    private final List<KvCommand> received = new ArrayList<>();
    /** The connection each of {@link #received} came on. */
    private final List<Channel> receivedFrom = new ArrayList<>();
    /** Whether the fake server keeps every request pending (as a leader does until the decision). */
    private boolean keepPending;
    private ClientPort port;

    private EmbeddedChannel connect(Optional<String> token, String fromAddress) {
        startPort(token, ClientLimits.DEFAULT);
        return connect(fromAddress);
    }

    /** A new port (the one {@link #connect(String)} connects to). */
    private void startPort(Optional<String> token, ClientLimits limits) {
        port = new ClientPort(null, null, new AdminPolicy(token), limits, new ClientPort.Requests() {
            @Override
            public void onRequest(KvCommand command, Channel channel) {
                received.add(command);
                receivedFrom.add(channel);
                if (keepPending) {
                    port.requestPending(channel);
                }
            }

            @Override
            public void onFatal(Throwable failure) {
                throw new AssertionError("fatal", failure);
            }
        });
    }

    /** A connection to the current port from {@code fromAddress}. */
    private Connection connect(String fromAddress) {
        Connection channel = new Connection(fromAddress);
        port.initPipeline(channel);
        return channel;
    }

    /** An embedded connection from a chosen address whose socket may refuse to take what is flushed. */
    private static final class Connection extends EmbeddedChannel {
        private final String fromAddress;
        /** Whether flushed bytes stay in the outbound buffer, as when the client does not read. */
        boolean socketFull;

        Connection(String fromAddress) {
            this.fromAddress = fromAddress;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress(fromAddress, 40_000);
        }

        @Override
        protected void doWrite(ChannelOutboundBuffer unsent) throws Exception {
            if (!socketFull) {
                super.doWrite(unsent);
            }
        }
    }

    private static ByteBuf request(long number, KvOp op, String key) {
        String value = op == KvOp.RECONFIGURE ? "id=2;nodes=1@h:1:2,2@h:3:4" : "";
        return ClientWire.encodeRequest(new KvCommand(42, number, 0, op, key, value), UnpooledByteBufAllocator.DEFAULT);
    }

    private static KvReply reply(EmbeddedChannel channel) {
        ByteBuf frame = channel.readOutbound();
        assertNotNull(frame, "no reply");
        try {
            frame.skipBytes(4);
            return ClientWire.decodeReply(frame);
        } finally {
            frame.release();
        }
    }

    @Test
    void anAdministrativeRequestFromAnotherHostWithoutTheTokenIsRefusedSayingWhy() {
        EmbeddedChannel channel = connect(Optional.empty(), "192.0.2.1");
        channel.writeInbound(request(1, KvOp.FETCH_STATE, ""));
        channel.writeInbound(request(2, KvOp.RECONFIGURE, ""));
        channel.writeInbound(request(3, KvOp.GET, "k"));
        KvReply fetch = reply(channel);
        assertEquals(KvStatus.ERROR, fetch.status());
        assertTrue(fetch.text().contains("FETCH_STATE refused") && fetch.text().contains("192.0.2.1")
                && fetch.text().contains("no admin token configured"), fetch.text());
        KvReply reconfigure = reply(channel);
        assertEquals(2, reconfigure.requestNumber());
        assertTrue(reconfigure.text().contains("RECONFIGURE refused"), reconfigure.text());
        assertEquals(List.of(KvOp.GET), received.stream().map(KvCommand::op).toList(), "only the GET goes on");
        assertEquals(2, port.refusedAdminRequests());
        assertTrue(channel.isActive(), "a refused request does not close the connection");
    }

    @Test
    void loopbackOrTheRightTokenLetsAnAdministrativeRequestThrough() {
        EmbeddedChannel remote = connect(Optional.of(TOKEN), "192.0.2.1");
        remote.writeInbound(request(1, KvOp.RECONFIGURE, "wrong-token-of-sixteen-bytes"));
        assertTrue(reply(remote).text().contains("admin token is wrong"));
        remote.writeInbound(request(2, KvOp.RECONFIGURE, TOKEN));
        assertEquals(1, received.size());
        EmbeddedChannel local = connect(Optional.empty(), "127.0.0.1");
        local.writeInbound(request(1, KvOp.FETCH_STATE, ""));
        assertEquals(2, received.size());
        assertTrue(local.outboundMessages().isEmpty(), "nothing refused");
    }

    @Test
    void aConnectionWithTooManyPendingRequestsIsNotReadUntilOneSettles() {
        EmbeddedChannel channel = connect(Optional.empty(), "192.0.2.1");
        keepPending = true;
        int sent = 2 * ClientPort.MAX_PENDING_PER_CONNECTION;
        ByteBuf burst = Unpooled.buffer();
        for (int i = 1; i <= sent; i++) {
            ByteBuf frame = request(i, KvOp.GET, "k");
            burst.writeBytes(frame);
            frame.release();
        }
        channel.writeInbound(burst); // one socket read's worth of pipelined requests
        assertEquals(ClientPort.MAX_PENDING_PER_CONNECTION, received.size(), "requests handed on");
        assertEquals(ClientPort.MAX_PENDING_PER_CONNECTION, ClientPort.pendingOn(channel));
        assertFalse(channel.config().isAutoRead(), "a connection at its pending limit is not read");
        port.requestSettled(channel);
        channel.runPendingTasks();
        assertEquals(ClientPort.MAX_PENDING_PER_CONNECTION + 1, received.size(), "one settled, one more read");
        assertFalse(channel.config().isAutoRead());
    }

    @Test
    void aConnectionWhoseRepliesAreNotDrainedIsNotReadAndClosedBeyondTheLimit() {
        EmbeddedChannel channel = connect(Optional.empty(), "192.0.2.1");
        ByteBuf mebibyte = Unpooled.wrappedBuffer(new byte[1024 * 1024]);
        for (int i = 0; i <= ClientPort.WRITE_BUFFER_HIGH_BYTES / mebibyte.readableBytes(); i++) {
            channel.write(mebibyte.retainedSlice()); // replies written, not yet taken by the client
        }
        assertFalse(channel.isWritable());
        assertFalse(channel.config().isAutoRead(), "a connection whose replies are not drained is not read");
        channel.writeInbound(request(1, KvOp.GET, "k"));
        assertTrue(received.isEmpty(), "held back: " + received);
        channel.flush(); // the client reads
        channel.runPendingTasks();
        assertTrue(channel.config().isAutoRead());
        assertEquals(1, received.size(), "the held request goes on once the replies drained");
        while (channel.readOutbound() instanceof ByteBuf read) {
            read.release();
        }
        while (port.admitReply(channel)) {
            channel.write(mebibyte.retainedSlice());
        }
        assertFalse(channel.isOpen(), "closed beyond " + ClientPort.MAX_UNSENT_REPLY_BYTES + " unsent bytes");
        assertEquals(1, port.unreadConnectionsClosed());
        mebibyte.release();
    }

    @Test
    void aboveHalfTheTotalConnectionsWithRepliesUnsentAreNotReadUntilTheTotalFalls() {
        startPort(Optional.empty(), new ClientLimits(16, 8 * MIB));
        Connection slow = connect("192.0.2.1");
        Connection behind = connect("192.0.2.2");
        Connection reading = connect("192.0.2.3");
        Connection unflushed = connect("192.0.2.4");
        writeNotTaken(slow, 3);
        writeNotTaken(behind, 2);
        writeMebibytes(unflushed, 1); // this step's replies, flushed after it
        assertEquals(6 * MIB, port.replies().unsentBytes(), "counted from write until the socket takes them");
        assertTrue(slow.isWritable() && behind.isWritable(), "each below its own high-water mark");
        behind.writeInbound(burst(3));
        reading.writeInbound(burst(3));
        unflushed.writeInbound(burst(3));
        assertEquals(1, countFrom(behind), "a connection with replies unsent is held after one request");
        assertFalse(behind.config().isAutoRead());
        assertEquals(1, countFrom(unflushed), "flushed or not");
        assertEquals(3, countFrom(reading), "a connection with nothing unsent is read");
        assertTrue(reading.config().isAutoRead());
        unflushed.flush(); // the socket takes them: read again at once
        releaseOutbound(unflushed);
        unflushed.runPendingTasks();
        assertEquals(3, countFrom(unflushed), "read again once its own replies went out");
        slow.socketFull = false;
        slow.flush(); // its client reads: the total falls to 2 MiB, a quarter
        releaseOutbound(slow);
        assertEquals(2 * MIB, port.replies().unsentBytes());
        behind.runPendingTasks();
        assertTrue(behind.config().isAutoRead(), "read again once the total fell to a quarter");
        assertEquals(3, countFrom(behind));
        assertEquals(1, port.replies().holdingPeriods());
    }

    @Test
    void atTheTotalAReplyToAConnectionBehindClosesItAndItsBytesLeaveTheCount() {
        startPort(Optional.empty(), new ClientLimits(16, 8 * MIB));
        Connection first = connect("192.0.2.1");
        Connection second = connect("192.0.2.2");
        Connection caughtUp = connect("192.0.2.3");
        Connection unflushed = connect("192.0.2.4");
        writeNotTaken(first, 5);
        writeNotTaken(second, 3);
        writeMebibytes(unflushed, 1);
        assertEquals(9 * MIB, port.replies().unsentBytes());
        assertTrue(port.admitReply(caughtUp), "a connection with nothing unsent still gets its reply");
        assertFalse(port.admitReply(second), "one with replies unsent does not, at the total");
        assertFalse(second.isOpen());
        assertEquals(1, port.unreadConnectionsClosed());
        assertEquals(6 * MIB, port.replies().unsentBytes(), "the closed connection's flushed bytes left the count");
        assertTrue(port.admitReply(first), "below the total again");
        writeMebibytes(caughtUp, 2); // this step's replies count too, flushed or not
        assertFalse(port.admitReply(unflushed), "at the total again: " + port.replies().unsentBytes());
        assertEquals(7 * MIB, port.replies().unsentBytes(), "its unflushed bytes left the count");
        first.close();
        caughtUp.close();
        assertEquals(0, port.replies().unsentBytes(), "nothing is left counted once the connections closed");
        assertEquals(2, port.unreadConnectionsClosed());
    }

    @Test
    void bytesTheSocketTakesLaterLeaveTheCountThen() {
        startPort(Optional.empty(), new ClientLimits(16, 8 * MIB));
        Connection channel = connect("192.0.2.1");
        writeNotTaken(channel, 2);
        writeNotTaken(channel, 1); // a second flush while the first is still not taken
        assertEquals(3 * MIB, ReplyMemory.unsentBytesOn(channel));
        channel.socketFull = false;
        channel.flush();
        assertEquals(0, ReplyMemory.unsentBytesOn(channel));
        assertEquals(0, port.replies().unsentBytes());
        assertEquals(3, countOutbound(channel), "the three replies went out");
    }

    /** Writes {@code mebibytes} MiB of replies to {@code channel} without flushing them (this step's replies). */
    private static void writeMebibytes(EmbeddedChannel channel, int mebibytes) {
        for (int i = 0; i < mebibytes; i++) {
            channel.write(Unpooled.wrappedBuffer(new byte[(int) MIB]));
        }
    }

    /** Writes and flushes {@code mebibytes} MiB of replies that the socket does not take (the client does not read). */
    private static void writeNotTaken(Connection channel, int mebibytes) {
        channel.socketFull = true;
        writeMebibytes(channel, mebibytes);
        channel.flush();
    }

    /** Releases the non-empty buffers that went out on {@code channel}; returns how many. */
    private static int countOutbound(EmbeddedChannel channel) {
        int count = 0;
        while (channel.readOutbound() instanceof ByteBuf read) {
            count += read.isReadable() ? 1 : 0;
            read.release();
        }
        return count;
    }

    private static void releaseOutbound(EmbeddedChannel channel) {
        while (channel.readOutbound() instanceof ByteBuf read) {
            read.release();
        }
    }

    /** {@code count} pipelined GETs from a client of its own, as one socket read. */
    private static ByteBuf burst(int count) {
        ByteBuf burst = Unpooled.buffer();
        for (int i = 1; i <= count; i++) {
            ByteBuf frame = request(i, KvOp.GET, "k");
            burst.writeBytes(frame);
            frame.release();
        }
        return burst;
    }

    /** The requests handed on from {@code channel}. */
    private long countFrom(EmbeddedChannel channel) {
        return receivedFrom.stream().filter(channel::equals).count();
    }
}
