package io.omnipaxos.examples.kv.reconfig;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.examples.kv.net.ClientWire;
import io.omnipaxos.examples.kv.net.ClientWire.StateChunk;
import io.omnipaxos.examples.kv.net.KvLogging;
import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.net.ProgressLine;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStatus;
import io.omnipaxos.storage.StorageException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.zip.CRC32C;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks nodes, over their client ports, for the {@link Handover} they know ({@link KvOp#FETCH_STATE}):
 * a blocking request on a plain (or TLS) socket, used by a node that has no state of its current
 * configuration yet, off its event loop. A state fetch is an administrative request: the other
 * node answers it from loopback, over TLS with this node's certificate, or with the cluster's admin
 * token, which the request carries in its key.
 *
 * <p>The answer comes in chunks of at most 1 MiB ({@link ClientWire#stateChunkFrame}), in order;
 * they go straight to a file ({@link ConfigDirs#fetchFile}, or a temporary file for a node that
 * keeps nothing on disk), never all into memory. Once the length the first chunk announced has
 * arrived, the handover's checksum is checked, the file forced and read back as a {@link
 * Handover}; the caller moves it in place ({@link ConfigDirs#recordFetched}). A stream that ends
 * early, skips or repeats bytes, or fails its checksum is an error naming the node and the offset;
 * the caller asks again (the next node, the next round).
 */
final class StateFetch {

    private static final Logger LOG = LoggerFactory.getLogger(StateFetch.class);
    private static final Logger EVENTS = LoggerFactory.getLogger(KvLogging.EVENTS);
    private static final int CONNECT_TIMEOUT_MILLIS = 1000;
    /** The longest wait for the next chunk. */
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    /**
     * A fetched handover.
     *
     * @param handover the handover, read back from the checked file
     * @param file the file that holds its binary form, forced, to be moved in place; null for a node
     *     that keeps nothing on disk (the file is deleted then)
     */
    record Fetched(Handover handover, Path file) {}

    private final long asker;
    private final SSLContext tls;
    private final Optional<String> adminToken;
    /** Where fetched handovers go; null: a temporary file per fetch, deleted once read (--memory). */
    private final Path fetchFile;

    /**
     * @param asker this node's pid (its client id in the requests)
     * @param tls this node's TLS context (node certificate, node CA), or null
     * @param adminToken the cluster's admin token, if one is configured
     * @param fetchFile where fetched handovers are written, in the data folder; null for --memory
     */
    StateFetch(long asker, SSLContext tls, Optional<String> adminToken, Path fetchFile) {
        this.asker = asker;
        this.tls = tls;
        this.adminToken = adminToken;
        this.fetchFile = fetchFile;
    }

    /**
     * One question to each source in turn; the first handover that {@code wanted} accepts. Not on
     * the event loop.
     *
     * @throws StorageException if the file to fetch into cannot be created or deleted
     */
    Optional<Fetched> round(List<NodeAddress> sources, Predicate<Handover> wanted) {
        StringBuilder why = new StringBuilder();
        for (NodeAddress source : sources) {
            Path into = fetchFile != null ? fetchFile : temporaryFile();
            boolean keep = false;
            try {
                Optional<Handover> found = fetch(source, asker, tls, adminToken, into, why);
                if (found.isPresent() && wanted.test(found.get())) {
                    EVENTS.info("fetched {} from node {}", found.get(), source.pid());
                    keep = fetchFile != null;
                    return Optional.of(new Fetched(found.get(), keep ? into : null));
                }
                found.ifPresent(h -> why.append("node ").append(source.pid()).append(" knows only ").append(h));
            } catch (DecodeException e) {
                LOG.warn("state fetch failed: {}", e.getMessage());
                why.append(e.getMessage());
            } finally {
                if (!keep) {
                    delete(into);
                }
            }
            why.append("; ");
        }
        LOG.debug("no usable handover this round: {}", why);
        return Optional.empty();
    }

    /**
     * The configuration that the first of {@code sources} to run one as a node reports ({@link
     * KvOp#CONFIGURATION}); empty if none does (unreachable, joining, retired). Not on the event loop.
     */
    Optional<ReconfigureRequest> runningConfiguration(List<NodeAddress> sources) {
        for (NodeAddress source : sources) {
            try (Socket socket = connect(source, tls)) {
                OutputStream out = socket.getOutputStream();
                out.write(request(KvOp.CONFIGURATION, asker, adminToken.orElse("")));
                out.flush();
                DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
                KvReply reply = ClientWire.decodeReply(readFrame(in, new byte[ClientWire.MAX_REPLY_BYTES],
                        "node " + source.pid(), 0));
                if (reply.status() == KvStatus.OK) {
                    return Optional.of(ReconfigureRequest.parse(reply.text()));
                }
                LOG.debug("node {} runs no configuration: {}", source.pid(), reply.text());
            } catch (IOException | DecodeException | IllegalArgumentException e) {
                LOG.debug("node {} did not say which configuration it runs: {}", source.pid(), e.toString());
            }
        }
        return Optional.empty();
    }

    private static Path temporaryFile() {
        try {
            return Files.createTempFile("kv-handover-", ".fetching");
        } catch (IOException e) {
            throw new StorageException("cannot create a temporary file for a state fetch: " + e, e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StorageException("cannot delete " + file + ": " + e, e);
        }
    }

    /**
     * The handover {@code source} knows, written to {@code into} and read back; empty if it knows
     * none (it never saw a configuration end) or cannot be reached: the reason goes to {@code why}.
     *
     * @param asker this node's pid (its client id in the request)
     * @param adminToken the cluster's admin token, if one is configured
     * @throws DecodeException naming the source (and the offset) if its answer is short or corrupt
     */
    static Optional<Handover> fetch(NodeAddress source, long asker, SSLContext tls, Optional<String> adminToken,
            Path into, StringBuilder why) {
        String node = "node " + source.pid();
        try (Socket socket = connect(source, tls)) {
            OutputStream out = socket.getOutputStream();
            out.write(request(KvOp.FETCH_STATE, asker, adminToken.orElse("")));
            out.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            byte[] frame = new byte[ClientWire.MAX_REPLY_BYTES];
            ByteBuf first = readFrame(in, frame, node, 0);
            Optional<StateChunk> chunk = decodeChunk(first, node, 0);
            if (chunk.isEmpty()) {
                why.append(node).append(": ").append(decodeReply(first, node));
                return Optional.empty();
            }
            receive(in, frame, node, chunk.get(), into);
        } catch (IOException e) {
            why.append(node).append(": ").append(e.getMessage());
            return Optional.empty();
        }
        try {
            return Optional.of(Handover.readFrom(into));
        } catch (StorageException e) {
            throw new DecodeException(node + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the chunks from {@code first} on to {@code into}, checks that they are in order, that
     * the announced length arrived and the handover's checksum, and forces the file.
     */
    private static void receive(DataInputStream in, byte[] frame, String node, StateChunk first, Path into)
            throws IOException {
        long total = first.handoverLength();
        if (total < 8) {
            throw new DecodeException(node + ": a handover of " + total + " bytes is too short");
        }
        Files.createDirectories(into.toAbsolutePath().getParent());
        ChecksumTail checksum = new ChecksumTail(total);
        try (FileChannel out = FileChannel.open(into, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            StateChunk chunk = first;
            long received = 0;
            ProgressLine progress = ProgressLine.bytes(EVENTS, node + ": fetching the state", System.nanoTime());
            while (true) {
                if (chunk.handoverLength() != total || chunk.offset() != received || chunk.requestNumber() != 1) {
                    throw new DecodeException(node + ": expected the chunk at offset " + received + " of " + total
                            + " bytes, got offset " + chunk.offset() + " of " + chunk.handoverLength()
                            + " (request " + chunk.requestNumber() + ")");
                }
                ByteBuffer bytes = chunk.bytes().nioBuffer();
                checksum.update(received, bytes.duplicate());
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                received += chunk.bytes().readableBytes();
                if (received == total) {
                    break;
                }
                progress.update(received, total, System.nanoTime());
                ByteBuf next = readFrame(in, frame, node, received);
                Optional<StateChunk> nextChunk = decodeChunk(next, node, received);
                if (nextChunk.isEmpty()) {
                    throw new DecodeException(node + ": a reply (" + decodeReply(next, node)
                            + ") in place of the chunk at offset " + received);
                }
                chunk = nextChunk.get();
            }
            if (!checksum.matches()) {
                throw new DecodeException(node + ": the handover's checksum (at offset " + (total - 4)
                        + ") does not match its " + total + " bytes");
            }
            out.force(true);
        }
    }

    /** Reads one frame body into {@code frame}; an end of stream or a bad length names the offset reached. */
    private static ByteBuf readFrame(DataInputStream in, byte[] frame, String node, long offset) throws IOException {
        try {
            int length = in.readInt();
            if (length < 1 || length > frame.length) {
                throw new DecodeException(node + ": a frame of " + length + " bytes at offset " + offset
                        + " (at most " + frame.length + ")");
            }
            in.readFully(frame, 0, length);
            return Unpooled.wrappedBuffer(frame, 0, length);
        } catch (EOFException e) {
            throw new DecodeException(node + ": the state stream ended at offset " + offset, e);
        } catch (IOException e) {
            throw new IOException(node + ": the state stream broke off at offset " + offset + ": " + e, e);
        }
    }

    private static Optional<StateChunk> decodeChunk(ByteBuf body, String node, long offset) {
        try {
            return ClientWire.decodeStateChunk(body);
        } catch (DecodeException e) {
            throw new DecodeException(node + ": at offset " + offset + ": " + e.getMessage(), e);
        }
    }

    private static String decodeReply(ByteBuf body, String node) {
        try {
            return ClientWire.decodeReply(body).text();
        } catch (DecodeException e) {
            throw new DecodeException(node + ": " + e.getMessage(), e);
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

    private static byte[] request(KvOp op, long asker, String adminToken) {
        // The client id only has to be non-zero: the request never reaches the log or a session.
        KvCommand command = new KvCommand(asker, 1, 0, op, adminToken, "");
        ByteBuf frame = ClientWire.encodeRequest(command, UnpooledByteBufAllocator.DEFAULT);
        try {
            byte[] bytes = new byte[frame.readableBytes()];
            frame.readBytes(bytes);
            return bytes;
        } finally {
            frame.release();
        }
    }

    /** A handover's CRC32C, computed over the bytes as they stream by, and its last 4 bytes (the stored one). */
    private static final class ChecksumTail {
        private final CRC32C crc = new CRC32C();
        private final long checked;
        private final ByteBuffer tail = ByteBuffer.allocate(4);

        ChecksumTail(long total) {
            this.checked = total - 4;
        }

        void update(long offset, ByteBuffer bytes) {
            int covered = (int) Math.max(0, Math.min(bytes.remaining(), checked - offset));
            ByteBuffer head = bytes.duplicate();
            head.limit(head.position() + covered);
            crc.update(head);
            bytes.position(bytes.position() + covered);
            tail.put(bytes);
        }

        boolean matches() {
            return !tail.hasRemaining() && tail.getInt(0) == (int) crc.getValue();
        }
    }
}
