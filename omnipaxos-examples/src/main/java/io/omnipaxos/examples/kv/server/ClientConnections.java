package io.omnipaxos.examples.kv.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.omnipaxos.examples.kv.state.KvOp;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which connections the client port serves: at most {@code maxConnections} at once, plus {@link
 * #RESERVED_ADMIN_CONNECTIONS} slots kept for the operator on the node's host. It sits in the
 * listening channel's pipeline, before Netty's acceptor, so a connection over the limit is closed
 * as soon as it is accepted: it is never registered with the event loop, gets no pipeline, no TLS
 * engine and no buffers. Peer links have a listener of their own and are never counted here.
 *
 * <p><b>Reserved slots.</b> A flood of clients must not lock the operator out (a reconfiguration
 * is how a stuck cluster gets out of trouble). A connection from a loopback address that finds the
 * ordinary slots full takes a reserved one; there it may only administer: {@link KvOp#REGISTER}
 * (which {@code KvClient} sends first) and the administrative operations pass, anything else closes
 * it ({@link #admits}). Only loopback, because at accept time nothing else tells an operator from a
 * client: another node fetching state over TLS or with the admin token waits for an ordinary slot
 * (its fetch retries).
 *
 * <p>Refusals are counted; the first of a quiet period is logged at once, the rest at most one
 * summary line per {@link #REFUSAL_LOG_INTERVAL_SECONDS}, so a flood of connections does not flood
 * the log. Event loop only (the listener and the connections share one event loop).
 */
final class ClientConnections extends ChannelInboundHandlerAdapter {

    /** Slots above the limit for administrative connections from loopback. */
    static final int RESERVED_ADMIN_CONNECTIONS = 4;

    /** At most one log line about refused connections per this many seconds. */
    static final long REFUSAL_LOG_INTERVAL_SECONDS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnections.class);
    /** Set on a connection that holds a reserved slot. */
    private static final AttributeKey<Boolean> RESERVED = AttributeKey.valueOf(ClientConnections.class, "reserved");

    private final int maxConnections;
    /** Connections in ordinary slots; invariant: in [0, maxConnections]. */
    private int openConnections;
    /** Connections in reserved slots; invariant: in [0, RESERVED_ADMIN_CONNECTIONS]. */
    private int openReservedConnections;
    private long refusedConnections;
    /** Refusals not logged yet; a summary is scheduled while {@link #refusalLogScheduled}. */
    private long refusedSinceLog;
    private boolean refusalLogScheduled;

    /** @param maxConnections the client connections served at once (not counting the reserved slots) */
    ClientConnections(int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
        }
        this.maxConnections = maxConnections;
    }

    /** A connection was accepted: {@code msg} is its channel, not yet registered. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel connection = (Channel) msg;
        SocketAddress from = connection.remoteAddress();
        boolean reserved;
        if (openConnections < maxConnections) {
            reserved = false;
            openConnections++;
        } else if (openReservedConnections < RESERVED_ADMIN_CONNECTIONS && AdminPolicy.isLoopback(from)) {
            reserved = true;
            openReservedConnections++;
            connection.attr(RESERVED).set(Boolean.TRUE);
        } else {
            connection.unsafe().closeForcibly(); // unregistered: closes the socket, nothing else to undo
            refused(ctx.channel().eventLoop(), from, "already serving " + openConnections
                    + " client connections, the most (network.max_client_connections)");
            return;
        }
        connection.closeFuture().addListener(closed -> release(reserved));
        ctx.fireChannelRead(connection);
    }

    /**
     * Whether {@code connection} may go on with a request of {@code op}: always in an ordinary slot;
     * in a reserved slot only {@link KvOp#REGISTER} and administrative operations. Closes the
     * connection (and counts it refused) if not.
     */
    boolean admits(Channel connection, KvOp op) {
        if (!Boolean.TRUE.equals(connection.attr(RESERVED).get()) || op == KvOp.REGISTER || op.isAdministrative()) {
            return true;
        }
        connection.close();
        refused(connection.eventLoop(), connection.remoteAddress(), "it holds a slot reserved for administration (all "
                + maxConnections + " client slots were taken) and sent " + op);
        return false;
    }

    /** Connections served now, reserved slots included. Event loop only. */
    int openConnections() {
        return openConnections + openReservedConnections;
    }

    /** Connections closed on accept (or in a reserved slot) so far. Event loop only. */
    long refusedConnections() {
        return refusedConnections;
    }

    private void release(boolean reserved) {
        if (reserved) {
            openReservedConnections--;
        } else {
            openConnections--;
        }
        if (openConnections < 0 || openReservedConnections < 0) {
            throw new IllegalStateException("client connections released twice: " + openConnections + " open, "
                    + openReservedConnections + " in reserved slots");
        }
    }

    /** Counts a refusal; logs it at once after a quiet period, else in the next summary (run on {@code loop}). */
    private void refused(EventLoop loop, SocketAddress from, String why) {
        refusedConnections++;
        if (refusalLogScheduled) {
            refusedSinceLog++;
            return;
        }
        LOG.warn("closed client connection {}: {} (refused so far: {}; more refusals are summed up every {} s)",
                from, why, refusedConnections, REFUSAL_LOG_INTERVAL_SECONDS);
        refusalLogScheduled = true;
        loop.schedule(() -> logRefusals(loop), REFUSAL_LOG_INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    private void logRefusals(EventLoop loop) {
        if (refusedSinceLog == 0) {
            refusalLogScheduled = false; // quiet: the next refusal is logged at once
            return;
        }
        LOG.warn("closed {} more client connections in the last {} s: {} of {} client slots and {} of {} slots"
                + " reserved for administration taken (network.max_client_connections; refused so far: {})",
                refusedSinceLog, REFUSAL_LOG_INTERVAL_SECONDS, openConnections, maxConnections,
                openReservedConnections, RESERVED_ADMIN_CONNECTIONS, refusedConnections);
        refusedSinceLog = 0;
        loop.schedule(() -> logRefusals(loop), REFUSAL_LOG_INTERVAL_SECONDS, TimeUnit.SECONDS);
    }
}
