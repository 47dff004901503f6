package io.omnipaxos.examples.kv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvReply;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A blocking connection to a node's client or peer port, for sending hand-made frames in tests. */
final class RawConnection implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    RawConnection(String host, int port) throws IOException {
        socket = new Socket(host, port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    /** Sends {@code command} as a client request. */
    void send(KvCommand command) throws IOException {
        writeRaw(frame(command));
    }

    /** The framed client request for {@code command} (length field included). */
    static byte[] frame(KvCommand command) {
        ByteBuf frame = ClientWire.encodeRequest(command, Unpooled.buffer().alloc());
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }

    /**
     * A framed version-2 peer hello from {@code pid} of configuration {@code configurationId}, with
     * a random incarnation and no recorded ones, built by hand from its documented layout (see
     * PeerHello).
     */
    static byte[] peerHello(long pid, int configurationId) {
        int body = 1 + 1 + 8 + 4 + 8 + 1 + 4;
        return ByteBuffer.allocate(4 + body).putInt(body).put((byte) 2).put((byte) 'H').putLong(pid)
                .putInt(configurationId).putLong(new java.util.Random().nextLong()).put((byte) 0).putInt(0).array();
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one reply frame. */
    KvReply readReply() throws IOException {
        int length = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        return ClientWire.decodeReply(Unpooled.wrappedBuffer(body));
    }

    /** Whether the server closed the connection (end of stream) within the read timeout. */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
