package io.omnipaxos.examples.kv.peer;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.examples.kv.net.KvLogging;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.net.TlsContexts;
import io.omnipaxos.messages.Message;
import io.omnipaxos.storage.StorageException;
import java.net.BindException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The links between one node and its peers, all on the node's single event loop: one TCP
 * connection per peer (the node with the lower pid dials, with exponential backoff), frames of a
 * 4-byte length plus a {@link MessageCodec} frame, and a {@link PeerHello} from each side first.
 *
 * <p>Until its hello is accepted a connection costs the node next to nothing: it may send only a
 * hello-sized frame ({@link PeerFrameDecoder}; a longer length closes it at once, {@link
 * #badFrames()}), and one that has not completed its hello within {@link #HELLO_TIMEOUT_MILLIS} is
 * closed ({@link #helloTimeouts()}). A hello from a pid that is not a peer, of another
 * configuration id, or (with TLS) whose certificate CN is not {@code node<pid>} closes the
 * connection and counts it in {@link #rejectedHandshakes()} ({@link HelloChecks}).
 *
 * <p>Incarnations ({@link Incarnations}): a hello whose incarnation differs from the one recorded
 * for its sender in this configuration is answered with a refusal hello and closed; a hello whose
 * table knows this node under another incarnation stops it ({@link DataFolderReplacedException}
 * to {@link Events#onFatal}); otherwise the sender's incarnation and table are recorded, durably,
 * before the link is established and any of its messages reaches the core. A frame that does not decode closes
 * the link ({@link #badFrames()}); a message whose sender is not the link's pid is dropped ({@link
 * #misaddressedMessages()}).
 * Messages to a peer without a link, or whose link's write buffer is full, are dropped ({@link
 * #undeliverableMessages()}): OmniPaxos tolerates lost messages and resends what matters.
 *
 * @param <T> the entry type
 */
final class PeerNetwork<T> {

    /** What the network reports to its node, always on the node's event loop. */
    interface Events<T> {
        /** A message arrived from an established link. */
        void onMessage(Message<T> message);

        /** The link to {@code pid} is established (again). */
        void onLinkUp(long pid);

        /** The link to {@code pid} is gone. */
        void onLinkDown(long pid);

        /**
         * A node said hello with a higher configuration id than ours: our configuration has ended
         * (a stop-sign was decided) and this node may have missed it.
         */
        default void onNewerConfiguration(int configurationId) {}

        /**
         * The node must stop: an {@link Error} (out of memory, a stack overflow) reached a link's
         * handler, a peer knows this node under another incarnation ({@link
         * DataFolderReplacedException}), or the incarnations it recorded cannot be written.
         */
        void onFatal(Throwable failure);
    }

    /** The first reconnect delay after a lost or failed connection. */
    static final long MIN_BACKOFF_MILLIS = 20;
    /**
     * The longest reconnect delay: a restarted peer, or a member of a new configuration that starts
     * after this node, is found again within this, well inside a heartbeat round (200 ms in
     * config/). With 500 ms, the members of a new configuration that started last elected a leader
     * among themselves before the first member's next dial reached them, and the elections that
     * followed lengthened the handover's write pause.
     */
    static final long MAX_BACKOFF_MILLIS = 100;
    /** A connection attempt that takes longer fails. */
    static final int CONNECT_TIMEOUT_MILLIS = 1000;
    /** Above this many buffered bytes a link is unwritable and messages to it are dropped. */
    static final int WRITE_BUFFER_HIGH_BYTES = 64 * 1024 * 1024;
    static final int WRITE_BUFFER_LOW_BYTES = 32 * 1024 * 1024;
    /** How long a peer port found in use is tried again ({@link #bindPeerPort}). */
    static final long BIND_RETRY_MILLIS = 3_000;
    /**
     * A connection that has not completed its hello (TLS handshake included) within this is closed:
     * until then nothing says who is on the other end, so it may hold no more than a moment.
     */
    static final long HELLO_TIMEOUT_MILLIS = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(PeerNetwork.class);
    private static final Logger EVENTS = LoggerFactory.getLogger(KvLogging.EVENTS);

    private final long pid;
    private final long helloTimeoutMillis;
    private final int configurationId;
    /** Every peer's address (and ours); grows with {@link #addPeer}. */
    private final Map<Long, NodeAddress> nodes;
    /** The pids that may link with us; grows with {@link #addPeer} (shared with {@link #hellos}). */
    private final Set<Long> peers;
    /** Whether this node dials its peers with higher pids; a learner dials none (the leader dials it). */
    private final boolean dials;
    private final MessageCodec<T> codec;
    private final HelloChecks hellos;
    private final SSLContext tls;
    private final EventLoop loop;
    private final Events<T> events;
    private final Map<Long, Channel> links = new HashMap<>();
    private final Map<Long, Long> backoffMillis = new HashMap<>();
    private final Set<Channel> unflushed = new HashSet<>();
    /**
     * Every connection, dialed or accepted, linked or not yet: {@link #close} closes them all, so that
     * none outlives this network. A dial that was under way when the listening socket closed may have
     * been given its freed port as local port, and would keep the next configuration from binding it.
     */
    private final ChannelGroup channels;
    private Channel listener;
    private boolean closed;
    private long rejectedHandshakes;
    private long badFrames;
    private long misaddressedMessages;
    private long undeliverableMessages;
    private long oversizedMessages;
    private long helloTimeouts;

    /**
     * @param nodes the address of every peer and of this node
     * @param dials whether this node dials its peers with higher pids (a learner dials none: the
     *     leader that replicates to it adds it as a peer and dials it, {@link #addPeer})
     */
    PeerNetwork(long pid, int configurationId, Map<Long, NodeAddress> nodes, List<Long> peers, boolean dials,
            MessageCodec<T> codec, SSLContext tls, EventLoop loop, Events<T> events, Incarnations incarnations) {
        this(pid, configurationId, nodes, peers, dials, codec, tls, loop, events, incarnations, HELLO_TIMEOUT_MILLIS);
    }

    /** As the other constructor, with a hello timeout other than {@link #HELLO_TIMEOUT_MILLIS} (tests). */
    PeerNetwork(long pid, int configurationId, Map<Long, NodeAddress> nodes, List<Long> peers, boolean dials,
            MessageCodec<T> codec, SSLContext tls, EventLoop loop, Events<T> events, Incarnations incarnations,
            long helloTimeoutMillis) {
        if (helloTimeoutMillis <= 0) {
            throw new IllegalArgumentException("helloTimeoutMillis must be > 0, got " + helloTimeoutMillis);
        }
        this.helloTimeoutMillis = helloTimeoutMillis;
        this.pid = pid;
        this.configurationId = configurationId;
        this.nodes = new HashMap<>(nodes);
        this.peers = new HashSet<>(peers);
        this.dials = dials;
        this.hellos = new HelloChecks(pid, configurationId, this.peers, incarnations);
        this.codec = codec;
        this.tls = tls;
        this.loop = loop;
        this.events = events;
        this.channels = new DefaultChannelGroup(loop);
    }

    /** Binds the peer port (blocking until bound) and, unless it {@code dials} none, starts dialing the peers with higher pids. */
    void start() throws InterruptedException {
        listener = bindPeerPort(nodes.get(pid));
        if (dials) {
            loop.execute(() -> peers.stream().filter(peer -> peer > pid).sorted().forEach(this::dial));
        }
    }

    /**
     * Binds {@code self}'s peer port, trying again every 50 ms for up to {@value #BIND_RETRY_MILLIS}
     * ms while it is in use. A node entering a new configuration binds the port that its previous
     * instance has just closed, and the JDK releases a closed listening socket that was registered
     * with a selector only at that selector's next select, which a busy event loop can delay (a
     * clean-clone CI run lost a reconfiguration test to "Address already in use"). A port held by
     * another program still fails, after the retries, with the bind's own exception.
     */
    private Channel bindPeerPort(NodeAddress self) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .childHandler(initializer(0));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BIND_RETRY_MILLIS);
        while (true) {
            ChannelFuture bound = bootstrap.bind(self.host(), self.peerPort()).await();
            if (bound.isSuccess()) {
                return bound.channel();
            }
            if (!(bound.cause() instanceof BindException) || System.nanoTime() > deadline) {
                return bound.sync().channel(); // throws the bind's exception
            }
            LOG.debug("peer port {} still in use, binding again: {}", self.peerPort(), bound.cause().toString());
            Thread.sleep(50);
        }
    }

    /**
     * Links with {@code address}'s node from now on: it may say hello, and this node dials it
     * whatever the pids' order (for a learner, which dials no one). No-op for a peer. Loop only.
     */
    void addPeer(NodeAddress address) {
        if (address.pid() == pid || !peers.add(address.pid())) {
            return;
        }
        nodes.put(address.pid(), address);
        dial(address.pid());
    }

    /** Queues {@code message} on its peer's link (sent on {@link #flush}), or drops it. Loop only. */
    void send(Message<T> message) {
        Channel channel = links.get(message.to());
        if (channel == null || !channel.isWritable()) {
            undeliverableMessages++;
            return;
        }
        int size;
        try {
            size = codec.encodedSize(message);
        } catch (IllegalArgumentException e) {
            oversizedMessages++;
            LOG.warn("dropped a message to {} that exceeds the frame limits: {}", message.to(), e.getMessage());
            return;
        }
        ByteBuf frame = channel.alloc().buffer(4 + size);
        frame.writeInt(size);
        codec.encode(message, frame.nioBuffer(frame.writerIndex(), size));
        frame.writerIndex(frame.writerIndex() + size);
        channel.write(frame, channel.voidPromise());
        unflushed.add(channel);
    }

    /** Flushes every link written since the last flush. Loop only. */
    void flush() {
        for (Channel channel : unflushed) {
            channel.flush();
        }
        unflushed.clear();
    }

    /** Closes every connection and the listening socket; no reconnects after this. Loop only. */
    void close() {
        closed = true;
        if (listener != null) {
            listener.close();
        }
        channels.close();
    }

    /** Waits until the peer port and every connection are released after {@link #close()}. Not on the event loop. */
    void awaitClosed() throws InterruptedException {
        if (listener != null) {
            listener.closeFuture().sync();
        }
        channels.newCloseFuture().await();
    }

    /** The pids with an established link. Loop only. */
    Set<Long> connectedPeers() {
        return Set.copyOf(links.keySet());
    }

    long rejectedHandshakes() {
        return rejectedHandshakes;
    }

    long badFrames() {
        return badFrames;
    }

    long misaddressedMessages() {
        return misaddressedMessages;
    }

    long undeliverableMessages() {
        return undeliverableMessages;
    }

    long oversizedMessages() {
        return oversizedMessages;
    }

    /** Connections closed because they did not complete their hello within the hello timeout. */
    long helloTimeouts() {
        return helloTimeouts;
    }

    private static WriteBufferWaterMark waterMark() {
        return new WriteBufferWaterMark(WRITE_BUFFER_LOW_BYTES, WRITE_BUFFER_HIGH_BYTES);
    }

    /** A pipeline for a link; {@code dialedPid} is the pid dialed, or 0 on the accepting side. */
    private ChannelInitializer<SocketChannel> initializer(long dialedPid) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                if (closed) { // a dial that started before close(): its channel registers only now
                    channel.close();
                    return;
                }
                channels.add(channel);
                if (tls != null) {
                    channel.pipeline().addLast(dialedPid == 0 ? TlsContexts.serverHandler(tls, channel)
                            : TlsContexts.clientHandler(tls, channel));
                }
                PeerFrameDecoder frames = new PeerFrameDecoder(codec.limits().maxFrameBytes());
                channel.pipeline().addLast(frames);
                channel.pipeline().addLast(new LinkHandler(dialedPid, frames));
            }
        };
    }

    private void dial(long peer) {
        if (closed) {
            return;
        }
        NodeAddress address = nodes.get(peer);
        ChannelFuture connect = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .handler(initializer(peer))
                .connect(address.host(), address.peerPort());
        // Exactly one retry per attempt: after a failed connect, or once the connection closes.
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                redial(peer);
            } else {
                connect.channel().closeFuture().addListener(closedFuture -> redial(peer));
            }
        });
    }

    private void redial(long peer) {
        if (closed) {
            return;
        }
        long delay = backoffMillis.getOrDefault(peer, MIN_BACKOFF_MILLIS);
        backoffMillis.put(peer, Math.min(MAX_BACKOFF_MILLIS, delay * 2));
        loop.schedule(() -> dial(peer), delay, TimeUnit.MILLISECONDS);
    }

    private void establish(long peer, Channel channel) {
        Channel old = links.put(peer, channel);
        if (old != null && old != channel) {
            old.close(); // the peer restarted and dialed again: the new link wins
        }
        backoffMillis.remove(peer);
        EVENTS.info("peer {} up ({})", peer, channel.remoteAddress());
        events.onLinkUp(peer);
    }

    private static boolean isTlsFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    /**
     * One link's handler: the hello first (within {@link #helloTimeoutMillis} of the connection, TLS
     * handshake included), then messages.
     */
    private final class LinkHandler extends ChannelInboundHandlerAdapter {
        private final long dialedPid;
        private final PeerFrameDecoder frames;
        private long linkPid;
        private ScheduledFuture<?> helloDeadline;

        LinkHandler(long dialedPid, PeerFrameDecoder frames) {
            this.dialedPid = dialedPid;
            this.frames = frames;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            helloDeadline = ctx.executor().schedule(() -> onHelloTimeout(ctx), helloTimeoutMillis,
                    TimeUnit.MILLISECONDS);
            if (dialedPid != 0) {
                ctx.writeAndFlush(hellos.ours(false).encode(ctx.alloc()));
            }
            ctx.fireChannelActive();
        }

        private void onHelloTimeout(ChannelHandlerContext ctx) {
            if (linkPid != 0 || !ctx.channel().isActive()) {
                return;
            }
            helloTimeouts++;
            EVENTS.warn("closed peer connection {}: no hello within {} ms", ctx.channel().remoteAddress(),
                    helloTimeoutMillis);
            ctx.close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (linkPid == 0) {
                    onHello(ctx, PeerHello.decode(frame));
                } else {
                    onFrame(ctx, frame);
                }
            } catch (DecodeException e) {
                badFrames++;
                // A bad hello (another version of this program, a stranger) goes to the console.
                (linkPid == 0 ? EVENTS : LOG).warn("closing peer link {} (pid {}): undecodable {}: {}",
                        ctx.channel().remoteAddress(), linkPid, linkPid == 0 ? "hello" : "frame", e.getMessage());
                ctx.close();
            } finally {
                frame.release();
            }
        }

        private void onHello(ChannelHandlerContext ctx, PeerHello hello) {
            if (hello.configurationId() != configurationId) {
                refuseOtherConfiguration(ctx, hello);
                return;
            }
            String refusal = hellos.refusal(hello, dialedPid, ctx.channel());
            if (refusal != null) {
                refuse(ctx, refusal, false);
                return;
            }
            String replaced = hellos.replaced(hello);
            if (replaced != null) {
                ctx.close();
                events.onFatal(new DataFolderReplacedException(replaced)); // nothing of this link reached the core
                return;
            }
            if (hello.refusal()) {
                refuse(ctx, "pid " + hello.pid() + " refuses the link", false);
                return;
            }
            String conflict = hellos.incarnationConflict(hello);
            if (conflict != null) {
                refuse(ctx, conflict, dialedPid == 0); // the accepting side answers why; a dialer just hangs up
                return;
            }
            try {
                hellos.record(hello); // durable before the link's first message reaches the core
            } catch (StorageException e) {
                ctx.close();
                events.onFatal(e);
                return;
            }
            if (dialedPid == 0) {
                ctx.writeAndFlush(hellos.ours(false).encode(ctx.alloc()));
            }
            linkPid = hello.pid();
            helloDeadline.cancel(false);
            frames.helloAccepted();
            establish(linkPid, ctx.channel());
        }

        /** Refuses the link, counting it; {@code answer}: first tell the other side with a refusal hello. */
        private void refuse(ChannelHandlerContext ctx, String why, boolean answer) {
            rejectedHandshakes++;
            EVENTS.warn("refused peer link from {}: {}", ctx.channel().remoteAddress(), why);
            if (answer) {
                ctx.writeAndFlush(hellos.ours(true).encode(ctx.alloc())).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
        }

        /**
         * Refuses a node of another configuration, after telling it ours (so that a node left in an
         * ended configuration learns that a newer one runs), and reports a newer one.
         */
        private void refuseOtherConfiguration(ChannelHandlerContext ctx, PeerHello hello) {
            rejectedHandshakes++;
            LOG.info("refused peer link from {} (pid {}): configuration id {}, ours is {}", ctx.channel().remoteAddress(),
                    hello.pid(), hello.configurationId(), configurationId);
            if (dialedPid == 0) {
                ctx.writeAndFlush(hellos.ours(false).encode(ctx.alloc())).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
            if (hello.configurationId() > configurationId && !closed) {
                events.onNewerConfiguration(hello.configurationId());
            }
        }

        private void onFrame(ChannelHandlerContext ctx, ByteBuf frame) {
            Message<T> message = codec.decode(frame.nioBuffer());
            if (message.from() != linkPid) {
                misaddressedMessages++;
                return;
            }
            events.onMessage(message);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (helloDeadline != null) {
                helloDeadline.cancel(false);
            }
            if (linkPid != 0 && links.get(linkPid) == ctx.channel()) {
                links.remove(linkPid);
                if (!closed) {
                    EVENTS.info("peer {} down", linkPid);
                }
                events.onLinkDown(linkPid);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof Error) {
                events.onFatal(cause); // not the peer's doing, and the node may be in any state now
                return;
            }
            // Connection resets and TLS failures: the link closes and the dialer retries.
            LOG.debug("peer link {} (pid {}) failed: {}", ctx.channel().remoteAddress(), linkPid, cause.toString());
            if (isTlsFailure(cause)) {
                rejectedHandshakes++;
                EVENTS.warn("refused peer link {}: TLS failed: {}", ctx.channel().remoteAddress(), cause.getMessage());
            } else if (cause instanceof io.netty.handler.codec.DecoderException) {
                badFrames++;
                LOG.warn("closing peer link {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
            }
            ctx.close();
        }
    }
}
