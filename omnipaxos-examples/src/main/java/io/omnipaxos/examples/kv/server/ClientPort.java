package io.omnipaxos.examples.kv.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.net.TlsContexts;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStatus;
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
 * connection is closed, since the byte stream can no longer be trusted.
 */
final class ClientPort {

    /** Handles decoded requests, on the event loop. */
    interface Requests {
        /** A request arrived on {@code channel}; answer with {@link ClientWire#encodeReply}. */
        void onRequest(KvCommand command, Channel channel);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ClientPort.class);

    private final EventLoop loop;
    private final SSLContext tls;
    private final Requests requests;
    private Channel listener;
    private long badRequests;

    ClientPort(EventLoop loop, SSLContext tls, Requests requests) {
        this.loop = loop;
        this.tls = tls;
        this.requests = requests;
    }

    /** Binds {@code host:port}, blocking until bound. */
    void start(String host, int port) throws InterruptedException {
        listener = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (tls != null) {
                            channel.pipeline().addLast(TlsContexts.serverHandler(tls, channel));
                        }
                        channel.pipeline().addLast(new LengthFieldBasedFrameDecoder(ClientWire.MAX_REQUEST_BYTES, 0, 4,
                                0, 4));
                        channel.pipeline().addLast(new RequestHandler());
                    }
                })
                .bind(host, port).sync().channel();
    }

    /** Stops accepting clients. */
    void close() {
        if (listener != null) {
            listener.close();
        }
    }

    /** Requests refused as undecodable so far. Event loop only. */
    long badRequests() {
        return badRequests;
    }

    private void replyError(ChannelHandlerContext ctx, long requestNumber, String reason, boolean close) {
        badRequests++;
        LOG.info("bad request from {}: {}{}", ctx.channel().remoteAddress(), reason, close ? " (closing)" : "");
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
                    replyError(ctx, number, "bad request: " + e.getMessage(), number == 0);
                    return;
                }
                requests.onRequest(command, ctx.channel());
            } finally {
                body.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                replyError(ctx, 0, "bad request: frame longer than " + ClientWire.MAX_REQUEST_BYTES + " bytes", true);
            } else if (cause instanceof DecoderException && !(cause.getCause() instanceof SSLException)) {
                replyError(ctx, 0, "bad request: " + cause.getMessage(), true);
            } else {
                LOG.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
                ctx.close();
            }
        }
    }
}
