package io.omnipaxos.examples.kv.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.omnipaxos.examples.kv.net.TlsContexts;
import io.omnipaxos.examples.kv.peer.LinkFaults;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The node's HTTP endpoints, on 127.0.0.1 only and on the node's own event loop (so {@code
 * /status} reads the node's state where it lives): {@code GET /} the dashboard ({@value
 * #DASHBOARD}, a page that polls the {@code /status} of every node it learns of), {@code GET
 * /metrics} in the Prometheus text format ({@link NodeMetrics}) and {@code GET /status} as JSON,
 * which any origin may read ({@code Access-Control-Allow-Origin: *}), since the dashboard served
 * by one node asks all of them. With the node's TLS on it is HTTPS, and demands a client certificate
 * like the client port. A node started with {@code --fault-injection} also serves {@code /faults}
 * ({@link FaultsEndpoint}: GET and POST), for partition tests. Anything else is 404 (405 for
 * another method). Requests are small:
 * a body above 8 KiB closes the connection. Each response closes its connection.
 */
public final class HttpPort {

    /** The largest request accepted (headers and body). */
    static final int MAX_REQUEST_BYTES = 8 * 1024;

    /** The dashboard page, a resource of this package. */
    static final String DASHBOARD = "dashboard.html";
    private static final byte[] DASHBOARD_BYTES = readDashboard();

    private static final String FAULT_INJECTION_OFF = "fault injection is off: start the node with --fault-injection\n";

    private final EventLoop loop;
    private final NodeMetrics metrics;
    private final Supplier<String> status;
    private final SSLContext tls;
    /** {@code /faults}, if the node allows fault injection; else null. */
    private FaultsEndpoint faults;
    private Channel listener;

    /**
     * Plain HTTP.
     *
     * @param loop the node's event loop
     * @param metrics what {@code /metrics} shows
     * @param status the JSON {@code /status} shows, built on {@code loop}
     */
    public HttpPort(EventLoop loop, NodeMetrics metrics, Supplier<String> status) {
        this(loop, metrics, status, null);
    }

    /**
     * As {@link #HttpPort(EventLoop, NodeMetrics, Supplier)}, over TLS with {@code tls} if it is not
     * null: HTTPS that demands a client certificate, as the node's client port does (the client
     * port's context, which trusts the node CA and the client CA).
     */
    public HttpPort(EventLoop loop, NodeMetrics metrics, Supplier<String> status, SSLContext tls) {
        this.loop = loop;
        this.metrics = metrics;
        this.status = status;
        this.tls = tls;
    }

    /**
     * Serves {@code /faults} ({@link FaultsEndpoint}), which sets the links {@code faults} drops:
     * only for a node started with {@code --fault-injection}. Before {@link #start}.
     *
     * @param self this node's pid
     * @param nodes the pids of the {@code [network]} nodes table
     */
    public void allowFaultInjection(LinkFaults faults, long self, Set<Long> nodes) {
        this.faults = new FaultsEndpoint(faults, self, nodes);
    }

    /** Binds {@code 127.0.0.1:port} (0: any free port); returns the port bound. */
    public int start(int port) throws InterruptedException {
        listener = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (tls != null) {
                            channel.pipeline().addLast(TlsContexts.serverHandler(tls, channel));
                        }
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new Handler());
                    }
                }).bind("127.0.0.1", port).sync().channel();
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Stops listening. */
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder query = new QueryStringDecoder(request.uri());
            String path = query.path();
            FullHttpResponse response;
            if (path.equals("/faults")) {
                response = faults == null ? text(HttpResponseStatus.NOT_FOUND, FAULT_INJECTION_OFF)
                        : faults.handle(request.method(), query);
            } else if (!request.method().equals(HttpMethod.GET)) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n");
            } else if (path.equals("/metrics")) {
                response = body(HttpResponseStatus.OK, metrics.scrape(), NodeMetrics.CONTENT_TYPE);
            } else if (path.equals("/status")) {
                response = body(HttpResponseStatus.OK, status.get().getBytes(StandardCharsets.UTF_8),
                        "application/json; charset=utf-8");
                response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
            } else if (path.equals("/") || path.equals("/" + DASHBOARD)) {
                response = body(HttpResponseStatus.OK, DASHBOARD_BYTES, "text/html; charset=utf-8");
            } else {
                response = text(HttpResponseStatus.NOT_FOUND, "no such page: " + path + " (try /, /metrics or /status)\n");
            }
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static byte[] readDashboard() {
        try (InputStream in = HttpPort.class.getResourceAsStream(DASHBOARD)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + DASHBOARD + " next to " + HttpPort.class.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DASHBOARD + " from the jar", e);
        }
    }

    static FullHttpResponse text(HttpResponseStatus status, String text) {
        return body(status, text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    static FullHttpResponse body(HttpResponseStatus status, byte[] bytes, String contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return response;
    }
}
