package io.omnipaxos.examples.kv.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.AttributeKey;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.examples.kv.net.ClientLimits;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.net.TlsContexts;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStatus;
import java.io.IOException;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The port clients connect to, on the node's event loop. Each frame is decoded into a {@link
 * KvCommand} and handed to the {@link Requests} handler with its channel.
 *
 * <p>Bad input never takes the server down: a request whose fields are invalid (an oversized key
 * or value, an unknown operation, malformed UTF-8) gets an {@link KvStatus#ERROR} reply naming
 * the problem and the connection stays open; a frame of another version or a length field above
 * {@link ClientWire#MAX_REQUEST_BYTES} (typically garbage bytes) gets an ERROR reply and the
 * connection is closed, since the byte stream can no longer be trusted. An administrative request
 * that the {@link AdminPolicy} refuses gets an ERROR reply saying why and goes no further.
 *
 * <p><b>Connections.</b> At most {@link ClientLimits#maxConnections} clients are served at once; one
 * more is closed as soon as it is accepted, and a few reserved slots keep the node open to its
 * operator on loopback ({@link ClientConnections}).
 *
 * <p><b>Backpressure.</b> A client that sends requests faster than it reads the replies must not
 * make the node buffer without end. A connection is not read from while its replies are not
 * drained (its channel is unwritable above {@link #WRITE_BUFFER_HIGH_BYTES}) or while it has {@link
 * #MAX_PENDING_PER_CONNECTION} requests waiting for their decisions ({@link #requestPending}); the
 * requests already read wait in a {@link FlowControlHandler} (at most one socket read's worth). A
 * connection whose unsent replies still grow beyond {@link #MAX_UNSENT_REPLY_BYTES} (the replies of
 * requests it had pending) is closed ({@link #admitReply}): its client is not reading. All
 * connections together are bounded the same way ({@link ReplyMemory}): above half of {@link
 * ClientLimits#maxUnsentReplyBytes} unsent, the connections that have replies unsent are not read,
 * and at it such a connection is closed rather than given another reply.
 *
 * <p>A FETCH_STATE answer ({@link #stream}) is written a chunk at a time while the connection is
 * writable and resumed when it drains; the connection is not read from until it is done.
 */
final class ClientPort {

    /** Handles decoded requests, on the event loop. */
    interface Requests {
        /** A request arrived on {@code channel}; answer with {@link ClientWire#encodeReply}. */
        void onRequest(KvCommand command, Channel channel);

        /** An {@link Error} (out of memory, a stack overflow) reached the client port: the node must stop. */
        void onFatal(Throwable failure);
    }

    /** Requests of one connection waiting for their decision; the connection is not read while it has this many. */
    static final int MAX_PENDING_PER_CONNECTION = 1024;
    /** Unsent reply bytes above which a connection is not read from (its channel is unwritable). */
    static final int WRITE_BUFFER_HIGH_BYTES = 4 * 1024 * 1024;
    /** Unsent reply bytes below which an unwritable connection is writable (and read) again. */
    static final int WRITE_BUFFER_LOW_BYTES = 1024 * 1024;
    /** Unsent reply bytes above which a connection is closed instead of written to. */
    static final long MAX_UNSENT_REPLY_BYTES = 64L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ClientPort.class);
    private static final AttributeKey<int[]> PENDING = AttributeKey.valueOf(ClientPort.class, "pendingRequests");
    private static final AttributeKey<StateStream> STREAM = AttributeKey.valueOf(ClientPort.class, "stateStream");

    private final EventLoop loop;
    private final SSLContext tls;
    private final AdminPolicy admin;
    private final Requests requests;
    private final ClientConnections connections;
    private final ReplyMemory replies;
    private Channel listener;
    private long badRequests;
    private long refusedAdminRequests;
    private long unreadConnectionsClosed;

    /**
     * @param tls the client port's TLS context (it trusts the node CA and the client CA), or null
     * @param admin who may send administrative requests
     * @param limits what all client connections together may cost the node
     */
    ClientPort(EventLoop loop, SSLContext tls, AdminPolicy admin, ClientLimits limits, Requests requests) {
        this.loop = loop;
        this.tls = tls;
        this.admin = admin;
        this.requests = requests;
        this.connections = new ClientConnections(limits.maxConnections());
        this.replies = new ReplyMemory(limits.maxUnsentReplyBytes(), this::updateReading);
    }

    /** Binds {@code host:port}, blocking until bound. */
    void start(String host, int port) throws InterruptedException {
        listener = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .handler(connections) // before the acceptor: a connection over the limit is closed unregistered
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        initPipeline(channel);
                    }
                })
                .bind(host, port).sync().channel();
    }

    /** Sets up one client connection's pipeline (package-private for tests on an embedded channel). */
    void initPipeline(Channel channel) {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(WRITE_BUFFER_LOW_BYTES,
                WRITE_BUFFER_HIGH_BYTES));
        replies.install(channel); // first: next to the socket
        if (tls != null) {
            channel.pipeline().addLast(TlsContexts.serverHandler(tls, channel));
        }
        channel.pipeline().addLast(ClientWire.requestFrames());
        channel.pipeline().addLast(new FlowControlHandler());
        channel.pipeline().addLast(new RequestHandler());
    }

    /** Stops accepting clients. */
    void close() {
        if (listener != null) {
            listener.close();
        }
    }

    /** A request of {@code channel} now waits for its decision. Event loop only. */
    void requestPending(Channel channel) {
        pending(channel)[0]++;
        updateReading(channel);
    }

    /** A request of {@code channel} no longer waits (answered, or dropped). Event loop only. */
    void requestSettled(Channel channel) {
        int[] count = pending(channel);
        if (count[0] <= 0) {
            throw new IllegalStateException("connection " + channel + " settled a request it did not have pending");
        }
        count[0]--;
        updateReading(channel);
    }

    /**
     * Sends {@code stream} on {@code channel}: chunks while it is writable, the rest each time it
     * drains. The connection is not read from until the stream is done; the stream is closed when
     * done or when the connection closes. Event loop only.
     *
     * @throws IllegalStateException if a stream already runs on {@code channel}
     */
    void stream(Channel channel, StateStream stream) {
        if (channel.attr(STREAM).get() != null) {
            stream.close();
            throw new IllegalStateException("connection " + channel + " already streams a handover");
        }
        channel.attr(STREAM).set(stream);
        channel.config().setAutoRead(false);
        continueStream(channel);
    }

    /** The state stream running on {@code channel}, or null. Event loop only. */
    static StateStream streamOn(Channel channel) {
        return channel.attr(STREAM).get();
    }

    private void continueStream(Channel channel) {
        StateStream stream = channel.attr(STREAM).get();
        if (stream == null) {
            return;
        }
        try {
            if (!channel.isActive() || stream.pump(channel)) {
                endStream(channel);
                updateReading(channel);
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("closing client connection {}: cannot stream the handover at offset {} of {} bytes: {}",
                    channel.remoteAddress(), stream.offset(), stream.length(), e.toString());
            endStream(channel);
            channel.close();
        }
    }

    private static void endStream(Channel channel) {
        StateStream stream = channel.attr(STREAM).getAndSet(null);
        if (stream != null) {
            stream.close();
        }
    }

    /** The requests of {@code channel} waiting for their decision. Event loop only. */
    static int pendingOn(Channel channel) {
        return pending(channel)[0];
    }

    /**
     * Whether a reply may be written to {@code channel}: not if its unsent replies exceed {@link
     * #MAX_UNSENT_REPLY_BYTES}, nor if it has replies unsent while all connections together hold
     * {@link ClientLimits#maxUnsentReplyBytes} unsent ({@link ReplyMemory#full}). Either way the
     * connection is closed: its client is not reading, or the node is at its bound and it is sent
     * more than it takes.
     */
    boolean admitReply(Channel channel) {
        ChannelOutboundBuffer unsent = channel.unsafe().outboundBuffer();
        long unsentBytes = unsent == null ? 0 : unsent.totalPendingWriteBytes();
        if (unsentBytes > MAX_UNSENT_REPLY_BYTES) {
            unreadConnectionsClosed++;
            LOG.warn("closing client connection {}: {} bytes of replies unread, more than {}", channel.remoteAddress(),
                    unsentBytes, MAX_UNSENT_REPLY_BYTES);
            channel.close();
            return false;
        }
        if (replies.full() && ReplyMemory.unsentBytesOn(channel) > 0) {
            unreadConnectionsClosed++;
            LOG.warn("closing client connection {}: {} bytes of its replies unread while all client connections"
                    + " hold {}, the most (network.max_unsent_replies_mib)", channel.remoteAddress(),
                    ReplyMemory.unsentBytesOn(channel), replies.unsentBytes());
            channel.close();
            return false;
        }
        return true;
    }

    /** Requests refused as undecodable so far. Event loop only. */
    long badRequests() {
        return badRequests;
    }

    /** Administrative requests refused by the {@link AdminPolicy} so far. Event loop only. */
    long refusedAdminRequests() {
        return refusedAdminRequests;
    }

    /** Connections closed because their client did not read its replies. Event loop only. */
    long unreadConnectionsClosed() {
        return unreadConnectionsClosed;
    }

    /** The open client connections (reserved admin slots included). Event loop only. */
    public long openConnections() {
        return connections.openConnections();
    }

    /** The reply bytes all client connections hold unsent. Event loop only. */
    ReplyMemory replies() {
        return replies;
    }

    private static int[] pending(Channel channel) {
        int[] count = channel.attr(PENDING).get();
        if (count == null) {
            count = new int[1];
            channel.attr(PENDING).set(count);
        }
        return count;
    }

    /**
     * Reads from {@code channel} only while its replies drain, it has room for more pending requests
     * and the replies of all connections do not hold it back ({@link ReplyMemory#holdsBack}).
     * Stopping takes effect at once; resuming runs as a task of its own, so that requests it releases
     * do not reach the server in the middle of the step that settled one.
     */
    private void updateReading(Channel channel) {
        if (!shouldRead(channel)) {
            channel.config().setAutoRead(false);
        } else if (!channel.config().isAutoRead()) {
            channel.eventLoop().execute(() -> {
                if (shouldRead(channel)) {
                    channel.config().setAutoRead(true);
                }
            });
        }
    }

    private boolean shouldRead(Channel channel) {
        return channel.isWritable() && pendingOn(channel) < MAX_PENDING_PER_CONNECTION
                && channel.attr(STREAM).get() == null && !replies.holdsBack(channel);
    }

    private void replyError(ChannelHandlerContext ctx, long requestNumber, String reason, boolean close) {
        LOG.info("refused a request from {}: {}{}", ctx.channel().remoteAddress(), reason, close ? " (closing)" : "");
        var write = ctx.writeAndFlush(ClientWire.encodeReply(KvReply.error(requestNumber, reason), ctx.alloc()));
        if (close) {
            write.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** One client connection. */
    private final class RequestHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf body = (ByteBuf) msg;
            try {
                KvCommand command;
                try {
                    command = ClientWire.decodeRequest(body);
                } catch (DecodeException e) {
                    long number = ClientWire.requestNumberOf(body);
                    badRequests++;
                    replyError(ctx, number, "bad request: " + e.getMessage(), number == 0);
                    return;
                }
                if (!connections.admits(ctx.channel(), command.op())) {
                    return; // closed: a reserved slot is for administration
                }
                Optional<String> refusal = admin.refusal(command, ctx.channel());
                if (refusal.isPresent()) {
                    refusedAdminRequests++;
                    replyError(ctx, command.requestNumber(), refusal.get(), false);
                    return;
                }
                requests.onRequest(command, ctx.channel());
            } finally {
                body.release();
            }
            updateReading(ctx.channel());
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                continueStream(ctx.channel());
            }
            updateReading(ctx.channel());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            endStream(ctx.channel());
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof Error) {
                requests.onFatal(cause); // not a client's doing, and the node may be in any state now
                return;
            }
            if (cause instanceof TooLongFrameException) {
                badRequests++;
                replyError(ctx, 0, "bad request: frame longer than " + ClientWire.MAX_REQUEST_BYTES + " bytes", true);
            } else if (cause instanceof DecoderException && !(cause.getCause() instanceof SSLException)) {
                badRequests++;
                replyError(ctx, 0, "bad request: " + cause.getMessage(), true);
            } else if (cause instanceof IOException || cause instanceof DecoderException) {
                LOG.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
                ctx.close();
            } else {
                // A bug on this connection's path (the server threw): loud, but it stops only this connection.
                LOG.error("client connection {} failed; closing it", ctx.channel().remoteAddress(), cause);
                ctx.close();
            }
        }
    }
}
