package io.omnipaxos.examples.kv.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.net.EventLoops;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.net.TlsContexts;
import io.omnipaxos.examples.kv.reconfig.ReconfigureRequest;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import io.omnipaxos.examples.kv.state.KvStatus;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A client of the key-value store with at-most-once requests: it has a random client id, numbers
 * its requests, and tells the servers (on every request) up to which number it has all replies.
 *
 * <p>It knows every node's client address (and learns a leader's it did not know, such as a node
 * added by a reconfiguration, from the NOT_LEADER reply's text). A request goes to the node
 * believed to lead; a NOT_LEADER reply with a hint sends it to the hinted node, without a hint
 * (or on a timeout, or when the connection drops) to the next node; always with the same request
 * number, so a request that was in fact applied is not applied again and its original reply
 * comes back. Requests may be pipelined: up to {@link #MAX_WINDOW} numbers past the acknowledged
 * mark are in flight, more wait in the client.
 *
 * <p><b>Sessions.</b> Before its first request the client registers its session ({@link
 * KvOp#REGISTER}, in the log). If the servers answer {@link KvStatus#SESSION_EXPIRED} (the session
 * was evicted by many newer ones), every request in flight fails with a {@link KvException} saying
 * its outcome is unknown (it may or may not have been applied, and is never applied twice), and
 * the client registers a new session under a new id for the requests that follow; numbering goes
 * on, so a late reply of the old session is never taken for one of the new.
 *
 * <p>Thread-safe: every method may be called from any thread; the work happens on one Netty event
 * loop, where futures are completed.
 */
public final class KvClient implements AutoCloseable {

    /** Requests past the acknowledged mark; below the servers' {@link KvStateMachine#MAX_UNACKED_PER_CLIENT}. */
    public static final int MAX_WINDOW = 1000;
    /** A request not answered within this goes to the next node. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofMillis(1000);
    /** A request not answered within this fails. */
    public static final Duration DEFAULT_REQUEST_DEADLINE = Duration.ofSeconds(30);
    /** Wait before retrying when no node knows a leader (an election is going on). */
    static final long NO_LEADER_RETRY_MILLIS = 20;

    private final Map<Long, NodeAddress> nodes;
    private final List<Long> pids;
    private final SSLContext tls;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final EventLoop loop;
    private volatile long clientId;
    /** Whether the current session is registered; requests wait until it is. */
    private boolean registered;
    /** The REGISTER request in flight, or null. */
    private Request registration;
    private final long attemptTimeoutNanos;
    private final long deadlineNanos;
    private final Map<Long, Channel> connections = new HashMap<>();
    private final Map<Long, Request> inFlight = new HashMap<>();
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private final TreeSet<Long> answeredAboveMark = new TreeSet<>();
    /** Connections written since the last flush: one flush per event-loop pass, not one per request. */
    private final java.util.Set<Channel> unflushed = new java.util.HashSet<>();
    private final Runnable flushTask = this::flushAll;
    private long nextRequestNumber = 1;
    private long ackedUpTo;
    private long targetPid;
    private long retries;
    private volatile long lastAnsweringPid;

    /** One request and its progress. */
    private final class Request {
        final KvOp op;
        final String key;
        final String value;
        final CompletableFuture<KvReply> result = new CompletableFuture<>();
        final long startNanos = System.nanoTime();
        long number;
        long sentTo;
        ScheduledFuture<?> timeout;

        Request(KvOp op, String key, String value) {
            this.op = op;
            this.key = key;
            this.value = value;
        }
    }

    /**
     * A client of the nodes at {@code nodes} (pid to address; the client ports are used).
     *
     * @param tls a TLS context with this client's certificate, or null for plain TCP
     * @param group an event loop group to share (e.g. among many load clients), or null for an own one
     */
    public KvClient(Map<Long, NodeAddress> nodes, SSLContext tls, EventLoopGroup group, Duration attemptTimeout,
            Duration deadline) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no node addresses");
        }
        this.nodes = new HashMap<>(nodes);
        this.pids = new ArrayList<>(nodes.keySet().stream().sorted().toList());
        this.tls = tls;
        this.ownsGroup = group == null;
        this.group = group == null ? EventLoops.singleThread() : group;
        this.loop = this.group.next();
        this.clientId = newClientId();
        this.attemptTimeoutNanos = attemptTimeout.toNanos();
        this.deadlineNanos = deadline.toNanos();
        this.targetPid = pids.get(0);
    }

    /** A client with its own event loop, plain TCP and the default timeouts. */
    public KvClient(Map<Long, NodeAddress> nodes) {
        this(nodes, null, null, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_REQUEST_DEADLINE);
    }

    private static long newClientId() {
        long id = 0;
        while (id == 0) {
            id = new SecureRandom().nextLong();
        }
        return id;
    }

    /** This client's id (a new one after its session expired). */
    public long clientId() {
        return clientId;
    }

    /**
     * Sends a request; the future completes with the reply (OK, NOT_FOUND or ERROR) or a {@link
     * KvException} (at once, naming the field, if the request is invalid, e.g. an oversized key).
     */
    public CompletableFuture<KvReply> submit(KvOp op, String key, String value) {
        Request request = new Request(op, key, op.hasValue() ? value : "");
        try {
            new KvCommand(clientId, 1, 0, op, request.key, request.value); // what send() builds: validate now
        } catch (IllegalArgumentException | NullPointerException e) {
            request.result.completeExceptionally(new KvException(op + " refused before sending: " + e.getMessage(), e));
            return request.result;
        }
        if (loop.inEventLoop()) {
            enqueue(request);
        } else {
            loop.execute(() -> enqueue(request));
        }
        return request.result;
    }

    /** The value of {@code key}, if present. */
    public Optional<String> get(String key) {
        KvReply reply = await(submit(KvOp.GET, key, ""));
        return reply.status() == KvStatus.OK ? Optional.of(reply.text()) : Optional.empty();
    }

    /** Sets {@code key} to {@code value}. */
    public void put(String key, String value) {
        await(submit(KvOp.PUT, key, value));
    }

    /** Appends {@code value} to {@code key}'s value. */
    public void append(String key, String value) {
        await(submit(KvOp.APPEND, key, value));
    }

    /** Removes {@code key}; true if it was present. */
    public boolean delete(String key) {
        return await(submit(KvOp.DELETE, key, "")).status() == KvStatus.OK;
    }

    /**
     * Ends the cluster's current configuration and hands over to {@code next}; returns once the
     * stop-sign is decided (a retry of a finished reconfiguration also returns). Without an admin
     * token, the nodes accept it only from loopback or over TLS with a node certificate.
     *
     * @throws KvException if another reconfiguration won, the request is invalid or not allowed
     *     (the message says which)
     */
    public void reconfigure(ReconfigureRequest next) {
        reconfigure(next, Optional.empty());
    }

    /**
     * As {@link #reconfigure(ReconfigureRequest)}, with the cluster's admin token ({@code
     * network.admin_token}), which administrative requests carry in their key.
     */
    public void reconfigure(ReconfigureRequest next, Optional<String> adminToken) {
        await(submit(KvOp.RECONFIGURE, adminToken.orElse(""), next.format()));
    }

    /** The pid of the node that gave the last final answer (the leader then), 0 before any. */
    public long lastAnsweringPid() {
        return lastAnsweringPid;
    }

    /** How many times requests were resent (timeouts, redirects, lost connections). */
    public long retries() {
        return retries;
    }

    @Override
    public void close() {
        loop.submit(() -> {
            for (Channel channel : connections.values()) {
                channel.close();
            }
            failAll(new KvException("client closed"));
        }).awaitUninterruptibly();
        if (ownsGroup) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
        }
    }

    private static KvReply await(CompletableFuture<KvReply> future) {
        KvReply reply;
        try {
            reply = future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KvException k ? k : new KvException(e.getCause().toString(), e.getCause());
        }
        if (reply.status() == KvStatus.ERROR) {
            throw new KvException("server refused request " + reply.requestNumber() + ": " + reply.text());
        }
        return reply;
    }

    private void enqueue(Request request) {
        waiting.add(request);
        drainWaiting();
    }

    private void drainWaiting() {
        if (!registered) {
            if (!waiting.isEmpty() && registration == null) {
                register();
            }
            return;
        }
        while (!waiting.isEmpty() && nextRequestNumber - ackedUpTo <= MAX_WINDOW) {
            Request request = waiting.poll();
            request.number = nextRequestNumber++;
            inFlight.put(request.number, request);
            send(request);
        }
    }

    /** Opens the session: a REGISTER under the next number; the waiting requests follow its reply. */
    private void register() {
        registration = new Request(KvOp.REGISTER, "", "");
        registration.number = nextRequestNumber++;
        inFlight.put(registration.number, registration);
        send(registration);
    }

    /**
     * The servers do not know this session: every request in flight has an unknown outcome. They
     * fail; a new session (new id, numbering going on) is registered for the requests that wait.
     */
    private void expireSession(KvReply reply) {
        long oldId = clientId;
        KvException unknown = new KvException("session of client " + oldId + " expired (evicted by newer sessions)"
                + " while request " + reply.requestNumber() + " was in flight: its outcome is unknown; it was not and"
                + " will not be applied twice");
        for (Request request : new ArrayList<>(inFlight.values())) {
            inFlight.remove(request.number);
            if (request.timeout != null) {
                request.timeout.cancel(false);
            }
            request.result.completeExceptionally(unknown);
        }
        clientId = newClientId();
        ackedUpTo = nextRequestNumber - 1;
        answeredAboveMark.clear();
        registered = false;
        registration = null;
        drainWaiting();
    }

    private void send(Request request) {
        if (System.nanoTime() - request.startNanos > deadlineNanos) {
            finish(request, null, new KvException(request.op + " " + request.key + ": no node answered within "
                    + Duration.ofNanos(deadlineNanos)));
            return;
        }
        long pid = targetPid;
        request.sentTo = pid;
        if (request.timeout != null) {
            request.timeout.cancel(false);
        }
        request.timeout = loop.schedule(() -> onTimeout(request, pid), attemptTimeoutNanos, TimeUnit.NANOSECONDS);
        Channel channel = connection(pid);
        KvCommand command = new KvCommand(clientId, request.number, ackedUpTo, request.op, request.key, request.value);
        if (channel.isActive()) {
            channel.write(ClientWire.encodeRequest(command, channel.alloc()), channel.voidPromise());
            if (unflushed.isEmpty()) {
                loop.execute(flushTask);
            }
            unflushed.add(channel);
        }
        // Not connected yet: the connect listener sends everything addressed to this node.
    }

    private void flushAll() {
        for (Channel channel : unflushed) {
            channel.flush();
        }
        unflushed.clear();
    }

    private Channel connection(long pid) {
        Channel existing = connections.get(pid);
        if (existing != null) {
            return existing;
        }
        NodeAddress address = nodes.get(pid);
        ChannelFuture connect = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, attemptTimeoutNanos / 1_000_000))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (tls != null) {
                            channel.pipeline().addLast(TlsContexts.clientHandler(tls, channel));
                        }
                        channel.pipeline().addLast(ClientWire.replyFrames());
                        channel.pipeline().addLast(new ReplyHandler(pid));
                    }
                })
                .connect(address.host(), address.clientPort());
        Channel channel = connect.channel();
        connections.put(pid, channel);
        connect.addListener(f -> {
            if (f.isSuccess()) {
                resendAll(pid, false);
            }
        });
        channel.closeFuture().addListener(f -> {
            connections.remove(pid, channel);
            resendAll(pid, true);
        });
        return channel;
    }

    /** Sends (again) every request addressed to {@code pid}; to the next node if that link failed. */
    private void resendAll(long pid, boolean linkFailed) {
        if (linkFailed && targetPid == pid) {
            targetPid = nextPid(pid);
        }
        for (Request request : new ArrayList<>(inFlight.values())) {
            if (request.sentTo == pid) {
                if (linkFailed) {
                    retries++;
                    loop.schedule(() -> {
                        if (inFlight.get(request.number) == request && request.sentTo == pid) {
                            send(request);
                        }
                    }, NO_LEADER_RETRY_MILLIS, TimeUnit.MILLISECONDS);
                } else {
                    send(request);
                }
            }
        }
    }

    private void onTimeout(Request request, long pid) {
        if (inFlight.get(request.number) != request || request.sentTo != pid) {
            return;
        }
        retries++;
        if (targetPid == pid) {
            targetPid = nextPid(pid);
        }
        send(request);
    }

    private void onReply(KvReply reply) {
        Request request = inFlight.get(reply.requestNumber());
        if (request == null) {
            return; // a late answer to a request already answered
        }
        if (reply.status() == KvStatus.SESSION_EXPIRED) {
            lastAnsweringPid = request.sentTo;
            expireSession(reply);
            return;
        }
        if (reply.status() != KvStatus.NOT_LEADER) {
            lastAnsweringPid = request.sentTo;
            finish(request, reply, null);
            return;
        }
        retries++;
        long hint = reply.leaderHint();
        learnAddress(hint, reply.text());
        if (hint != 0 && nodes.containsKey(hint) && hint != request.sentTo) {
            targetPid = hint;
            send(request);
        } else {
            if (targetPid == request.sentTo) {
                targetPid = nextPid(request.sentTo);
            }
            long sentTo = request.sentTo;
            loop.schedule(() -> {
                if (inFlight.get(request.number) == request && request.sentTo == sentTo) {
                    send(request);
                }
            }, NO_LEADER_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Adds a leader this client did not know (e.g. added by a reconfiguration) from its NOT_LEADER text. */
    private void learnAddress(long pid, String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        if (pid == 0 || nodes.containsKey(pid) || colon < 1) {
            return;
        }
        try {
            int port = Integer.parseInt(endpoint.substring(colon + 1));
            if (port >= 1 && port <= 65_535) {
                nodes.put(pid, new NodeAddress(pid, endpoint.substring(0, colon), 0, port));
                pids.add(pid);
            }
        } catch (NumberFormatException e) {
            // not an endpoint: keep to the nodes we know
        }
    }

    private void finish(Request request, KvReply reply, KvException failure) {
        inFlight.remove(request.number);
        if (request.timeout != null) {
            request.timeout.cancel(false);
        }
        answeredAboveMark.add(request.number);
        while (!answeredAboveMark.isEmpty() && answeredAboveMark.first() == ackedUpTo + 1) {
            ackedUpTo = answeredAboveMark.pollFirst();
        }
        if (failure != null) {
            request.result.completeExceptionally(failure);
        } else {
            request.result.complete(reply);
        }
        if (request == registration) {
            registration = null;
            registered = failure == null && reply.status() == KvStatus.OK;
            if (!registered) {
                failWaiting(failure != null ? failure : new KvException("session registration refused: " + reply.text()));
            }
        }
        drainWaiting();
    }

    private void failAll(KvException failure) {
        for (Request request : new ArrayList<>(inFlight.values())) {
            finish(request, null, failure);
        }
        failWaiting(failure);
    }

    private void failWaiting(KvException failure) {
        for (Request request : waiting) {
            request.result.completeExceptionally(failure);
        }
        waiting.clear();
    }

    private long nextPid(long pid) {
        int index = pids.indexOf(pid);
        return pids.get((index + 1) % pids.size());
    }

    /** Reads replies from one node. */
    private final class ReplyHandler extends ChannelInboundHandlerAdapter {
        private final long pid;

        ReplyHandler(long pid) {
            this.pid = pid;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf body = (ByteBuf) msg;
            try {
                onReply(ClientWire.decodeReply(body));
            } catch (DecodeException e) {
                ctx.close(); // a node that sends garbage: its requests go elsewhere
            } finally {
                body.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
