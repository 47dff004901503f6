package io.omnipaxos.examples.kv.reconfig;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Asks one node, over its client port, for the {@link Handover} it knows ({@link KvOp#FETCH_STATE}):
 * a blocking request and reply on a plain (or TLS) socket, used by a node that has no state of its
 * current configuration yet, off its event loop. A state fetch is an administrative request: the
 * other node answers it from loopback, over TLS with this node's certificate, or with the cluster's
 * admin token, which the request carries in its key.
 */
final class StateFetch {

    private static final int CONNECT_TIMEOUT_MILLIS = 1000;
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private StateFetch() {}

    /**
     * The handover {@code source} knows, or empty if it knows none (it never saw a configuration
     * end) or cannot be reached; the reason goes to {@code why}.
     *
     * @param asker this node's pid (its client id in the request)
     * @param adminToken the cluster's admin token, if one is configured
     * @throws DecodeException naming the source if it answers with something that does not decode
     */
    static Optional<Handover> fetch(NodeAddress source, long asker, SSLContext tls, Optional<String> adminToken,
            StringBuilder why) {
        try (Socket socket = connect(source, tls)) {
            OutputStream out = socket.getOutputStream();
            out.write(request(asker, adminToken.orElse("")));
            out.flush();
            return readReply(new DataInputStream(socket.getInputStream()), "node " + source.pid(), why);
        } catch (IOException e) {
            why.append("node ").append(source.pid()).append(": ").append(e.getMessage());
            return Optional.empty();
        }
    }

    private static Socket connect(NodeAddress source, SSLContext tls) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(source.host(), source.clientPort()), CONNECT_TIMEOUT_MILLIS);
        plain.setSoTimeout(READ_TIMEOUT_MILLIS);
        if (tls == null) {
            return plain;
        }
        SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(plain, source.host(), source.clientPort(),
                true);
        secure.startHandshake();
        return secure;
    }

    private static byte[] request(long asker, String adminToken) {
        // The client id only has to be non-zero: the request never reaches the log or a session.
        KvCommand command = new KvCommand(asker, 1, 0, KvOp.FETCH_STATE, adminToken, "");
        ByteBuf frame = ClientWire.encodeRequest(command, UnpooledByteBufAllocator.DEFAULT);
        try {
            byte[] bytes = new byte[frame.readableBytes()];
            frame.readBytes(bytes);
            return bytes;
        } finally {
            frame.release();
        }
    }

    private static Optional<Handover> readReply(DataInputStream in, String source, StringBuilder why)
            throws IOException {
        int length = in.readInt();
        if (length < ClientWire.REPLY_FIXED_BYTES
                || length > ClientWire.REPLY_FIXED_BYTES + ClientWire.MAX_HANDOVER_BYTES) {
            throw new DecodeException(source + ": reply length " + length + " out of range");
        }
        byte[] body = new byte[length];
        in.readFully(body);
        ByteBuf reply = Unpooled.wrappedBuffer(body);
        Optional<byte[]> handover;
        String text;
        try {
            handover = ClientWire.decodeStateReply(reply);
            text = handover.isPresent() ? "" : ClientWire.decodeReply(reply).text();
        } catch (DecodeException e) {
            throw new DecodeException(source + ": " + e.getMessage(), e);
        }
        if (handover.isPresent()) {
            return Optional.of(Handover.decode(handover.get(), source));
        }
        why.append(source).append(": ").append(text);
        return Optional.empty();
    }
}
