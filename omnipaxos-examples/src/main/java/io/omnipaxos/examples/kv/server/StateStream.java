package io.omnipaxos.examples.kv.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.reconfig.HandoverSource;
import io.omnipaxos.examples.kv.state.KvOp;
import java.io.IOException;

/**
 * One {@link KvOp#FETCH_STATE} answer in progress on a client connection: the handover, read from
 * its {@link HandoverSource} a chunk at a time ({@link ClientWire#MAX_STATE_CHUNK_BYTES}), written
 * only while the connection is writable. A reader slower than the node therefore holds at most the
 * connection's write-buffer high-water mark plus one chunk of the node's memory, however large the
 * state; {@link ClientPort} resumes the stream when the connection drains. Event loop only.
 */
final class StateStream implements AutoCloseable {

    private final long requestNumber;
    private final HandoverSource source;
    /** Bytes of the handover written so far; at most {@code source.length()}. */
    private long offset;

    /**
     * @param requestNumber the FETCH_STATE request it answers
     * @param source the handover, closed with this stream
     */
    StateStream(long requestNumber, HandoverSource source) {
        ClientWire.requireStateReplyFits(source.length());
        this.requestNumber = requestNumber;
        this.source = source;
    }

    /**
     * Writes (and flushes) chunks to {@code channel} while it is writable.
     *
     * @return whether the whole handover is written
     * @throws IOException if the source cannot be read
     */
    boolean pump(Channel channel) throws IOException {
        long length = source.length();
        while (offset < length && channel.isWritable()) {
            int count = (int) Math.min(ClientWire.MAX_STATE_CHUNK_BYTES, length - offset);
            ByteBuf frame = ClientWire.stateChunkFrame(requestNumber, length, offset, count, channel.alloc());
            try {
                source.read(offset, count, frame);
            } catch (IOException | RuntimeException e) {
                frame.release();
                throw e;
            }
            offset += count;
            channel.writeAndFlush(frame, channel.voidPromise());
        }
        return offset == length;
    }

    /** Bytes of the handover written so far. */
    long offset() {
        return offset;
    }

    /** The handover's length. */
    long length() {
        return source.length();
    }

    /** Closes the source (a file). */
    @Override
    public void close() {
        source.close();
    }
}
