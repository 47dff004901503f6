package io.omnipaxos.examples.kv.peer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * The frames of a peer link: a 4-byte length, then the body. Until {@link #helloAccepted()} only a
 * frame of at most {@link PeerHello#MAX_BYTES} (a hello with a full table of incarnations, about
 * 160 KiB) is accepted: a connection that has not said who it is may not make the node buffer a
 * message frame of up to {@link ReplicaNode#PEER_LIMITS} (256 MiB), so a longer length field fails
 * at once, before anything is allocated, and every byte after it is dropped (the link handler
 * closes the connection).
 *
 * <p>Frames are handed on one at a time, so the hello is handled before the next frame's length is
 * read. One instance per link; event loop only.
 */
final class PeerFrameDecoder extends LengthFieldBasedFrameDecoder {

    private static final int LENGTH_BYTES = 4;

    private boolean helloAccepted;
    private boolean refused;

    /**
     * @param maxBodyBytes the largest frame body after the hello (the codec's frame limit); Netty's
     *     limit counts the length field too, so a body of exactly this size still passes
     */
    PeerFrameDecoder(int maxBodyBytes) {
        super(maxBodyBytes + LENGTH_BYTES, 0, LENGTH_BYTES, 0, LENGTH_BYTES);
    }

    /** The hello was accepted: frames up to the full limit may follow. */
    void helloAccepted() {
        helloAccepted = true;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        if (!helloAccepted && in.readableBytes() >= LENGTH_BYTES) {
            long length = in.getUnsignedInt(in.readerIndex());
            if (length < 2 || length > PeerHello.MAX_BYTES) {
                refused = true;
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException("a frame of " + length + " bytes before the hello; only a hello"
                        + " of at most " + PeerHello.MAX_BYTES + " bytes may come first");
            }
        }
        return super.decode(ctx, in);
    }
}
