package io.omnipaxos.examples.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
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
 * The client port's pipeline on an embedded channel whose remote address is chosen by the test:
 * who may send administrative requests, and the backpressure that keeps a client that does not
 * read its replies from growing the node's memory.
 */
class ClientPortTest {

    private static final String TOKEN = "a-token-of-sixteen-bytes-or-more";

    private final List<KvCommand> received = new ArrayList<>();
    /** Whether the fake server keeps every request pending (as a leader does until the decision). */
    private boolean keepPending;
    private ClientPort port;

    private EmbeddedChannel connect(Optional<String> token, String fromAddress) {
        port = new ClientPort(null, null, new AdminPolicy(token), new ClientPort.Requests() {
            @Override
            public void onRequest(KvCommand command, Channel channel) {
                received.add(command);
                if (keepPending) {
                    port.requestPending(channel);
                }
            }

            @Override
            public void onFatal(Throwable failure) {
                throw new AssertionError("fatal", failure);
            }
        });
        EmbeddedChannel channel = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(fromAddress, 40_000);
            }
        };
        port.initPipeline(channel);
        return channel;
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
}
