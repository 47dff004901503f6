package io.omnipaxos.examples.kv.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reply bytes that all client connections together hold unsent: written to a connection and
 * not yet taken by its socket. Each connection bounds its own (the client port's backpressure);
 * this bounds their sum, {@code maxBytes}, with the same two steps:
 *
 * <ul>
 *   <li>above half of it, the connections that have replies unsent are not read ({@link
 *       #holdsBack}) until the sum falls to a quarter of it, or until their own replies are sent;
 *       connections whose replies all went out are read as usual;
 *   <li>at it, a reply to a connection that has replies unsent closes the connection instead
 *       ({@link ClientPort#admitReply}): it is the requests read before the sum rose that still
 *       bring replies, and a connection that is sent more than its socket takes is the one to go.
 * </ul>
 *
 * <p>So the answers to requests exceed {@code maxBytes} by at most one reply ({@code
 * ClientWire.MAX_REPLY_BYTES}) per connection that had nothing unsent; the chunks of a state fetch,
 * which pace themselves by the connection's writability, and short error replies are counted but
 * not refused. Unsent counts a reply from its write, flushed or not (the replies of a step are
 * flushed after it), so the replies of one step cannot pile up unseen.
 *
 * <p>The count costs a long addition per write and one check per flush. A {@link Counter} is each
 * connection's first handler, next to the socket (under TLS, so it counts the bytes that go out). A
 * flush that the socket takes whole is settled at once; one that leaves bytes behind writes an
 * empty marker after them, whose promise completes when everything before it is written, or fails
 * when the connection closes: either way the flush's bytes leave the count. Event loop only (every
 * connection of the client port runs on one event loop).
 */
final class ReplyMemory {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyMemory.class);
    private static final AttributeKey<Counter> COUNTER = AttributeKey.valueOf(ReplyMemory.class, "counter");

    private final long maxBytes;
    private final long holdAboveBytes;
    private final long resumeAtBytes;
    /** Called on the event loop for a held connection that may be read again. */
    private final Consumer<Channel> reconsider;
    /** Invariant: the sum over connections of their {@link Counter} bytes, flushed or not, and >= 0. */
    private long unsentBytes;
    /** Whether connections with unsent replies are held back: set above holdAboveBytes, cleared at resumeAtBytes. */
    private boolean holding;
    /** Connections not read because of {@link #holding}; each is reconsidered when it ends or they drain. */
    private final Set<Channel> held = new HashSet<>();
    private long holdingPeriods;

    /**
     * @param maxBytes the most reply bytes all connections together may hold unsent
     * @param reconsider decides again whether to read a connection that was held back
     */
    ReplyMemory(long maxBytes, Consumer<Channel> reconsider) {
        if (maxBytes < 4) {
            throw new IllegalArgumentException("maxBytes must be >= 4, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.holdAboveBytes = maxBytes / 2;
        this.resumeAtBytes = maxBytes / 4;
        this.reconsider = reconsider;
    }

    /** Counts the replies of {@code channel}: call before any other handler is added to its pipeline. */
    void install(Channel channel) {
        Counter counter = new Counter(channel);
        channel.attr(COUNTER).set(counter);
        channel.pipeline().addFirst(counter);
    }

    /** The reply bytes unsent on all connections. */
    long unsentBytes() {
        return unsentBytes;
    }

    /** The reply bytes of {@code channel} that its socket has not taken, flushed or not (0 if it is not counted). */
    static long unsentBytesOn(Channel channel) {
        Counter counter = channel.attr(COUNTER).get();
        return counter == null ? 0 : counter.unflushedBytes + counter.flushedBytes;
    }

    /** Whether the connections hold {@code maxBytes} or more unsent: one with replies unsent gets no more. */
    boolean full() {
        return unsentBytes >= maxBytes;
    }

    /** How many times the sum rose above half of {@code maxBytes}, so that connections were held back. */
    long holdingPeriods() {
        return holdingPeriods;
    }

    /**
     * Whether {@code channel} must not be read because the connections hold more than half of {@code
     * maxBytes} unsent and it has replies unsent too. If so, it is {@link #reconsider reconsidered}
     * once the sum falls to a quarter or its socket took its replies.
     */
    boolean holdsBack(Channel channel) {
        if (!holding || unsentBytesOn(channel) == 0) {
            return false;
        }
        held.add(channel);
        return true;
    }

    private void added(long bytes) {
        unsentBytes += bytes;
        if (!holding && unsentBytes > holdAboveBytes) {
            holding = true;
            holdingPeriods++;
            LOG.info("client connections hold {} bytes of replies unsent, more than half of {}"
                    + " (network.max_unsent_replies_mib): those with replies unsent are not read until they fall to {}",
                    unsentBytes, maxBytes, resumeAtBytes);
        }
    }

    private void released(Channel channel, long bytes, boolean caughtUp) {
        unsentBytes -= bytes;
        if (unsentBytes < 0 || bytes < 0) {
            throw new IllegalStateException("unsent reply bytes went below zero: " + unsentBytes + " after releasing "
                    + bytes + " of " + channel);
        }
        if (holding && unsentBytes <= resumeAtBytes) {
            holding = false;
            LOG.info("client connections hold {} bytes of replies unsent: reading {} held connections again",
                    unsentBytes, held.size());
            List<Channel> resumed = new ArrayList<>(held);
            held.clear();
            resumed.forEach(reconsider);
        } else if (caughtUp && held.remove(channel)) {
            reconsider.accept(channel);
        }
    }

    private static long sizeOf(Object message) {
        if (message instanceof ByteBuf buffer) {
            return buffer.readableBytes();
        }
        return message instanceof ByteBufHolder holder ? holder.content().readableBytes() : 0;
    }

    /** Counts one connection's reply bytes from write until its socket takes them (or they are dropped). */
    private final class Counter extends ChannelDuplexHandler {
        private final Channel channel;
        /** Bytes written since the last flush (dropped if the connection closes first); >= 0. */
        private long unflushedBytes;
        /** Bytes flushed that the socket has not taken yet (nor dropped on close); >= 0. */
        private long flushedBytes;

        Counter(Channel channel) {
            this.channel = channel;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (ctx.channel().isActive()) { // a write to a closed connection is dropped at once, uncounted
                long bytes = sizeOf(msg);
                unflushedBytes += bytes;
                added(bytes);
            }
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            long flushed = unflushedBytes;
            unflushedBytes = 0;
            flushedBytes += flushed;
            ctx.flush();
            if (flushed == 0) {
                return;
            }
            ChannelOutboundBuffer unsent = ctx.channel().unsafe().outboundBuffer();
            if (unsent == null || unsent.isEmpty()) {
                drained(flushed); // the socket took it all (or the connection is closed and it was dropped)
                return;
            }
            ctx.write(Unpooled.EMPTY_BUFFER, ctx.newPromise().addListener(done -> drained(flushed)));
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            held.remove(channel);
            long dropped = unflushedBytes; // flushed bytes leave with their markers' failed promises
            unflushedBytes = 0;
            released(channel, dropped, false);
            ctx.fireChannelInactive();
        }

        /** The socket took {@code bytes} flushed (or they were dropped with the connection). */
        private void drained(long bytes) {
            flushedBytes -= bytes;
            released(channel, bytes, flushedBytes + unflushedBytes == 0);
        }
    }
}
