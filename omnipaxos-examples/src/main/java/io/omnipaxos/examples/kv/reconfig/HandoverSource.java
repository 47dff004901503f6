package io.omnipaxos.examples.kv.reconfig;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The binary form of a {@link Handover}, read a piece at a time, so that a node answering a state
 * fetch never builds it whole: from the handover file a node recorded ({@link #ofFile}), or, for a
 * node that keeps nothing on disk ({@code --memory}) or has not written its file yet, from the
 * parts of the {@link Handover} in memory ({@link Handover#source()}: its state array is not
 * copied). Not thread-safe: one reader, on one thread at a time.
 */
public final class HandoverSource implements AutoCloseable {

    /** The open handover file, or null for a source in memory. */
    private final FileChannel file;
    private final Path path;
    /** The binary form, in pieces, for a source in memory; null for a file. */
    private final byte[][] parts;
    private final long length;

    private HandoverSource(FileChannel file, Path path, byte[][] parts, long length) {
        this.file = file;
        this.path = path;
        this.parts = parts;
        this.length = length;
    }

    /**
     * The handover file {@code path}, as {@link Handover#writeTo} wrote it.
     *
     * @throws IOException if it cannot be opened
     */
    public static HandoverSource ofFile(Path path) throws IOException {
        FileChannel file = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new HandoverSource(file, path, null, file.size());
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The concatenation of {@code parts}, which are not copied and must not change. */
    static HandoverSource ofParts(byte[]... parts) {
        long length = 0;
        for (byte[] part : parts) {
            length += Objects.requireNonNull(part, "part").length;
        }
        return new HandoverSource(null, null, parts.clone(), length);
    }

    /** The handover's length in bytes. */
    public long length() {
        return length;
    }

    /**
     * Appends the {@code count} bytes at {@code offset} to {@code into}.
     *
     * @throws IOException naming the file if it cannot be read or ends early
     * @throws IndexOutOfBoundsException if the range is not within the handover
     */
    public void read(long offset, int count, ByteBuf into) throws IOException {
        if (offset < 0 || count < 0 || offset > length - count) {
            throw new IndexOutOfBoundsException(count + " bytes at offset " + offset + " of " + length);
        }
        if (file != null) {
            readFile(offset, count, into);
        } else {
            readParts(offset, count, into);
        }
    }

    private void readFile(long offset, int count, ByteBuf into) throws IOException {
        int done = 0;
        while (done < count) {
            int read = into.writeBytes(file, offset + done, count - done);
            if (read < 0) {
                throw new IOException(path + " ends at offset " + (offset + done) + ", " + length + " bytes expected");
            }
            done += read;
        }
    }

    private void readParts(long offset, int count, ByteBuf into) {
        long partStart = 0;
        int done = 0;
        for (byte[] part : parts) {
            long partEnd = partStart + part.length;
            long from = offset + done;
            if (done < count && from < partEnd) {
                int take = (int) Math.min(count - done, partEnd - from);
                into.writeBytes(part, (int) (from - partStart), take);
                done += take;
            }
            partStart = partEnd;
        }
    }

    /** Closes the file (nothing for a source in memory). */
    @Override
    public void close() {
        if (file == null) {
            return;
        }
        try {
            file.close();
        } catch (IOException e) {
            // a read-only file: nothing was lost
        }
    }
}
